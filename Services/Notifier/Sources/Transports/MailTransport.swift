import Foundation
import Logging
import NIOPosix
import NIOSSL

/// Hands a rendered message to whatever delivers it. Throws `MailDeliveryError`.
public protocol MailTransport: Sendable {
    func deliver(_ message: MimeMessage, from sender: String, to recipient: String) async throws
    /// Releases connections; called once at shutdown.
    func shutdown() async
}

/// `TOLLGATE_MAIL_URL`: `smtp://…`, `smtps://…`, `file://PATH` or `log://`.
public enum MailURL: Sendable, Equatable {
    case smtp(SMTPSettings)
    case file(directory: String)
    case log

    public static func parse(_ text: String, heloName: String, caFile: String?) -> Result<MailURL, MailURLError> {
        let lowered = text.lowercased()
        if lowered.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            return path.isEmpty ? .failure(MailURLError("file:// needs a folder")) : .success(.file(directory: path))
        }
        if lowered == "log://" || lowered == "log:" { return .success(.log) }
        return SMTPSettings.parse(text, heloName: heloName, caFile: caFile).map { .smtp($0) }
    }

    public func makeTransport(logger: Logger) throws -> any MailTransport {
        switch self {
        case .file(let directory): return FileTransport(directory: directory)
        case .log: return LogTransport(logger: logger)
        case .smtp(let settings): return try SMTPTransport(settings: settings, logger: logger)
        }
    }
}

/// `log://`: one line per message, nothing sent (for trying Tollgate out without a mail server).
struct LogTransport: MailTransport {
    let logger: Logger

    func deliver(_ message: MimeMessage, from sender: String, to recipient: String) async throws {
        logger.notice("email (not sent: log transport)", metadata: ["to": "\(recipient)", "subject": "\(message.subject)"])
    }

    func shutdown() async {}
}
