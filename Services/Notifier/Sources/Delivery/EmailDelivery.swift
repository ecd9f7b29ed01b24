import Foundation
import TollgateContracts

/// Sends one email: render, hand to the mail server, write the delivery log. Shared by the
/// stream's consumer and an operator's retry of a dead letter.
struct EmailDelivery: Sendable {
    let renderer: EmailRenderer
    let transport: any MailTransport
    let deliveries: DeliveryLog
    let from: String
    let replyTo: String?

    /// Throws `RenderingError`, `MailDeliveryError` or a transport's own error; a failure to write
    /// the log after the server accepted the message is reported to `logFailure` instead (the
    /// email is out, and must not be sent again because of it).
    func send(_ command: EmailCommand, messageID: String, logFailure: (any Error) -> Void) async throws {
        let email = try renderer.render(command)
        try await transport.deliver(
            MimeMessage(
                from: from, to: command.to, toName: command.toName, subject: email.subject, text: email.text,
                html: email.html, messageID: "\(messageID)@tollgate", date: Date(), replyTo: replyTo),
            from: MimeMessage.address(of: from), to: command.to)
        do {
            try await deliveries.record(messageID, template: command.template.rawValue, recipient: command.to)
        } catch {
            logFailure(error)
        }
    }
}
