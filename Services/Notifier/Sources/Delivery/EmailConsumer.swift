import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Takes email commands from the `EMAIL` stream and delivers them, several at once (as many as the
/// pull consumer hands out). A message is acknowledged only once the server accepted it (and the
/// delivery log says so), or once it is in the dead letters: permanent refusals, unreadable or
/// unrenderable commands, and transient failures that used up their attempts. Other failures are
/// retried with growing delays.
public struct EmailConsumer: Service {
    let consumer: PullConsumer
    let renderer: EmailRenderer
    let transport: any MailTransport
    let deliveries: DeliveryLog
    let deadLetters: DeadLetters
    let from: String
    let replyTo: String?
    let maxAttempts: Int
    let retryBase: Duration
    let faults: DeliveryFaults
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await message in consumer {
                    group.addTask { await handle(message) }
                }
            }
        }
        await consumer.stop()
        await transport.shutdown()
    }

    func handle(_ message: JetStreamMessage) async {
        let messageID = message.headers["Nats-Msg-Id"] ?? "stream-\(message.streamSequence)"
        let command: EmailCommand
        do {
            command = try JSONCoding.decoder.decode(EmailCommand.self, from: message.payload)
        } catch {
            // Nothing to send or to retry later: keep the raw text in the log, not in the dead letters.
            logger.error("email command unreadable; dropped", metadata: ["id": "\(messageID)", "error": "\(error)"])
            try? message.term()
            return
        }
        do {
            if try await deliveries.wasDelivered(messageID) {
                logger.info("email was sent before; acknowledged again", metadata: ["id": "\(messageID)"])
                try message.ack()
                return
            }
            let email = try renderer.render(command)
            try await transport.deliver(
                MimeMessage(
                    from: from, to: command.to, toName: command.toName, subject: email.subject, text: email.text,
                    html: email.html, messageID: "\(messageID)@tollgate", date: Date(), replyTo: replyTo),
                from: MimeMessage.address(of: from), to: command.to)
            do {
                try await deliveries.record(messageID, template: command.template.rawValue, recipient: command.to)
            } catch {
                logger.error("sent, but not written to the delivery log", metadata: ["id": "\(messageID)", "error": "\(error)"])
            }
            if faults.stopBeforeAck { return }
            try message.ack()
            logger.info("email delivered", metadata: ["template": "\(command.template.rawValue)", "id": "\(messageID)"])
        } catch let error as RenderingError {
            await giveUp(message, messageID, command, reason: "cannot render: \(error)")
        } catch MailDeliveryError.permanent(let reason) {
            await giveUp(message, messageID, command, reason: reason)
        } catch {
            let reason = (error as? MailDeliveryError).map { "\($0)" } ?? "\(error)"
            if message.deliveryCount >= maxAttempts {
                await giveUp(message, messageID, command, reason: "gave up after \(message.deliveryCount) attempts: \(reason)")
                return
            }
            let delay = min(retryBase * (1 << min(message.deliveryCount - 1, 16)), .seconds(600))
            logger.warning(
                "email delivery failed; will retry", metadata: ["id": "\(messageID)", "in": "\(delay)", "error": "\(reason)"])
            try? message.nak(delay: delay)
        }
    }

    /// Into the dead letters, then out of the stream; if the dead letter cannot be written, the
    /// message stays in the stream and comes back later.
    private func giveUp(_ message: JetStreamMessage, _ messageID: String, _ command: EmailCommand, reason: String) async {
        do {
            try await deadLetters.add(
                DeadLetter(
                    messageID: messageID, command: command, reason: reason, attempts: message.deliveryCount,
                    failedAt: Date()))
            try message.ack()
            logger.error("email not delivered; moved to dead letters", metadata: ["id": "\(messageID)", "reason": "\(reason)"])
        } catch {
            logger.error("cannot write the dead letter; will retry", metadata: ["id": "\(messageID)", "error": "\(error)"])
            try? message.nak(delay: retryBase)
        }
    }
}

/// Failures tests inject to prove that nothing is sent twice.
public struct DeliveryFaults: Sendable {
    /// Behave as if the process died right after the server accepted a message: no ack.
    public var stopBeforeAck = false

    public init(stopBeforeAck: Bool = false) {
        self.stopBeforeAck = stopBeforeAck
    }
}
