import Foundation

/// The signing keys under the data folder. The newest signs; older ones stay published so tokens
/// they signed remain valid until they expire.
public struct SigningKeyStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Every stored key, oldest first; creates the first key when there is none.
    public func loadOrCreate() throws -> [SigningKey] {
        let keys = try load()
        if !keys.isEmpty { return keys }
        return [try add(SigningKey.generate())]
    }

    public func load() throws -> [SigningKey] {
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try manager.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") }
            .map { try decoder.decode(SigningKey.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)"))) }
            .sorted { $0.createdAt < $1.createdAt }
    }

    /// Adds a new signing key (it signs from now on) and deletes the keys retired more than
    /// `retention` ago: a key retires when the next one is added, and its tokens live at most the
    /// access-token lifetime after that. Returns the kept keys, oldest first, and the removed kids.
    public func rotate(retention: Duration, now: Date = Date()) throws -> (kept: [SigningKey], removed: [String]) {
        // Files keep whole seconds, and the newest key is the one that signs: never tie with the last.
        let newestBefore = try load().last?.createdAt ?? .distantPast
        let createdAt = max(now, newestBefore.addingTimeInterval(1))
        try add(SigningKey.generate(now: Date(timeIntervalSince1970: createdAt.timeIntervalSince1970.rounded(.up))))
        let keys = try load()
        var removed: [String] = []
        for (index, key) in keys.enumerated() where index + 1 < keys.count {
            let retiredAt = keys[index + 1].createdAt
            if now.timeIntervalSince(retiredAt) > TimeInterval(retention.components.seconds) {
                try FileManager.default.removeItem(atPath: "\(directory)/\(key.kid).json")
                removed.append(key.kid)
            }
        }
        return (keys.filter { !removed.contains($0.kid) }, removed)
    }

    @discardableResult
    public func add(_ key: SigningKey) throws -> SigningKey {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let path = "\(directory)/\(key.kid).json"
        guard manager.createFile(atPath: path, contents: try encoder.encode(key), attributes: [.posixPermissions: 0o600])
        else { throw SigningKeyError(message: "cannot write \(path)") }
        return key
    }
}
