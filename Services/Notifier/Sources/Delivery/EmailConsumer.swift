import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateSecurity
import TollgateServiceKit

/// Takes email commands from the `EMAIL` stream and delivers them, several at once (as many as the
/// pull consumer hands out). A command opens only with the Notifier's key and only for the subject
/// it names; anything else goes to the dead letters. A message is settled only once the server
/// accepted it (and the delivery log says so), or once it is in the dead letters: permanent
/// refusals, unreadable or unrenderable commands, and transient failures that used up their
/// attempts. Other failures are retried with growing delays. A settled message is erased from the
/// stream at once, so no delivered link or code rests there.
public struct EmailConsumer: Service {
    let consumer: PullConsumer
    let opener: EmailOpener
    let delivery: EmailDelivery
    let deadLetters: DeadLetters
    let jetStream: JetStream
    let subjects: Subjects
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
        await delivery.transport.shutdown()
    }

    func handle(_ message: JetStreamMessage) async {
        let messageID = message.headers["Nats-Msg-Id"] ?? "stream-\(message.streamSequence)"
        let command: EmailCommand
        do {
            command = try open(message)
        } catch {
            await giveUp(message, messageID, nil, reason: "unreadable: \(error)")
            return
        }
        do {
            if try await delivery.deliveries.wasDelivered(messageID) {
                logger.info("email was sent before; acknowledged again", metadata: ["id": "\(messageID)"])
                try await settle(message, messageID)
                return
            }
            try await delivery.send(command, messageID: messageID) { error in
                logger.error("sent, but not written to the delivery log", metadata: ["id": "\(messageID)", "error": "\(error)"])
            }
            if faults.stopBeforeAck { return }
            try await settle(message, messageID)
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

    /// The command, if it was sealed for this Notifier, on the subject of its own template (a
    /// sender may publish only its own templates, and the seal binds the subject).
    private func open(_ message: JetStreamMessage) throws -> EmailCommand {
        let command = try opener.open(message.payload, subject: message.subject)
        guard subjects.email(command.template) == message.subject else {
            throw EmailOpener.Failure.tampered
        }
        return command
    }

    /// Done with it: erased from the stream (overwritten on disk), then acknowledged. If the
    /// acknowledgement is lost, the message is already gone and is not handed out again.
    private func settle(_ message: JetStreamMessage, _ messageID: String) async throws {
        do {
            try await jetStream.eraseMessage(in: subjects.emailStream, sequence: message.streamSequence)
        } catch {
            logger.warning("cannot erase a settled email from the stream", metadata: ["id": "\(messageID)", "error": "\(error)"])
        }
        try message.ack()
    }

    /// Into the dead letters (without any one-time secret), then out of the stream; if the dead
    /// letter cannot be written, the message stays in the stream and comes back later.
    private func giveUp(_ message: JetStreamMessage, _ messageID: String, _ command: EmailCommand?, reason: String) async {
        do {
            try await deadLetters.add(
                DeadLetter(messageID: messageID, command: command, reason: reason, attempts: message.deliveryCount, failedAt: Date()))
            try await settle(message, messageID)
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
