import Foundation

/// The text parts of the emails the Notifier delivered to one address, for tests that follow a
/// link or type a code the way a person would.
public struct Mailbox: Sendable {
    public let system: TestSystem
    public let address: String

    public init(_ system: TestSystem, _ address: String) {
        self.system = system
        self.address = address
    }

    /// Text parts of every message delivered so far (unordered).
    public func texts() -> [String] {
        system.emails(to: address).compactMap { MimeParts.decodedBodies(of: $0).first }
    }

    /// Waits for a message not among `seen` whose text contains `marker`, and returns that text.
    public func next(containing marker: String, after seen: [String] = [], timeout: Duration = .seconds(10)) async throws
        -> String
    {
        try await eventually("an email to \(address) containing \(marker)", timeout: timeout) {
            texts().first { $0.contains(marker) && !seen.contains($0) }
        }
    }

    /// The characters after `marker` up to the next whitespace (a link's token).
    public static func value(after marker: String, in text: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        let value = text[range.upperBound...].prefix { !$0.isWhitespace }
        return value.isEmpty ? nil : String(value)
    }

    /// The first run of exactly six digits (a sign-in code).
    public static func sixDigitCode(in text: String) -> String? {
        let words = text.split(whereSeparator: { !$0.isNumber })
        return words.first { $0.count == 6 && $0.allSatisfy(\.isASCII) }.map(String.init)
    }
}
