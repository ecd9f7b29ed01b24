import Foundation

/// A secret read from the configuration (a seed, a private key): its text never appears in a
/// description, a log line or an error.
public struct SecretText: Sendable, Equatable, CustomStringConvertible {
    public let value: String
    /// Where it came from (`TOLLGATE_NATS_SEED_FILE`, a default path): what errors name.
    public let source: String

    public init(value: String, source: String) {
        self.value = value
        self.source = source
    }

    public var description: String { "<secret from \(source)>" }

    /// The file's text without surrounding white space; nil when it cannot be read.
    public static func read(file path: String) -> SecretText? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return SecretText(value: text.trimmingCharacters(in: .whitespacesAndNewlines), source: path)
    }
}
