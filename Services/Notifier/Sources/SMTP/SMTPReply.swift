/// A server's answer: a three-digit code and its text lines (several for multi-line replies).
struct SMTPReply: Sendable, Equatable {
    let code: Int
    let lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    var text: String { "\(code) \(lines.joined(separator: " / "))" }
}

/// How sending one message failed, which decides what happens to it.
public enum MailDeliveryError: Error, Equatable, CustomStringConvertible {
    /// Worth retrying later: unreachable server, timeout, dropped connection, a 4xx reply.
    case transient(String)
    /// Never going to work for this message: a 5xx reply to its envelope or content.
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let reason): "transient: \(reason)"
        case .permanent(let reason): "permanent: \(reason)"
        }
    }

    /// The server's reply to a step of the transaction, judged by its class.
    static func rejected(_ step: String, _ reply: SMTPReply) -> MailDeliveryError {
        let reason = "\(step) refused: \(reply.text)"
        return reply.code >= 500 ? .permanent(reason) : .transient(reason)
    }
}
