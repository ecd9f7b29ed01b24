/// Where a service's database lives, parsed from its URL:
/// `sqlite://PATH` (a file, created with its folder), `sqlite::memory:`, or `postgres://user:pass@host/db`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres(url: String)

    public init?(url: String) {
        if url == "sqlite::memory:" {
            self = .sqliteMemory
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else {
            return nil
        }
    }

    /// SQLite, which allows one writer at a time.
    public var isSQLite: Bool {
        if case .postgres = self { return false }
        return true
    }
}
