import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Takes email commands from the `EMAIL` stream, renders them and hands them to the transport.
/// Acknowledges only after delivery; a message that cannot ever be rendered is terminated.
public struct EmailConsumer: Service {
    let consumer: PullConsumer
    let renderer: EmailRenderer
    let transport: FileTransport
    let from: String
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await message in consumer {
                await handle(message)
            }
        }
        await consumer.stop()
    }

    func handle(_ message: JetStreamMessage) async {
        let messageID = message.headers["Nats-Msg-Id"] ?? "stream-\(message.streamSequence)"
        do {
            let command = try JSONCoding.decoder.decode(EmailCommand.self, from: message.payload)
            let email = try renderer.render(command)
            try transport.deliver(
                MimeMessage(
                    from: from, to: command.to, toName: command.toName, subject: email.subject, text: email.text,
                    html: email.html, messageID: "\(messageID)@tollgate", date: Date()))
            try message.ack()
            logger.info("email delivered", metadata: ["template": "\(command.template.rawValue)", "id": "\(messageID)"])
        } catch let error as DecodingError {
            logger.error("email command unreadable; dropped", metadata: ["id": "\(messageID)", "error": "\(error)"])
            try? message.term()
        } catch let error as RenderingError {
            logger.error("email cannot be rendered; dropped", metadata: ["id": "\(messageID)", "error": "\(error)"])
            try? message.term()
        } catch {
            let delay = Duration.seconds(min(300, 1 << min(message.deliveryCount, 8)))
            logger.warning("email delivery failed; will retry", metadata: ["id": "\(messageID)", "error": "\(error)"])
            try? message.nak(delay: delay)
        }
    }
}
