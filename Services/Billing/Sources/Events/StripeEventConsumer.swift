import Foundation
import Logging
import ServiceLifecycle
import TollgateMessaging
import TollgateServiceKit

/// Takes verified Stripe events from the `STRIPE` stream (a durable consumer all Billing instances
/// share) and applies them. An event is acknowledged once applied, or when it is a duplicate, of a
/// type Billing ignores, or unreadable; a failure (Stripe or the database unreachable) is retried
/// with growing delays, for days if need be: Stripe will not send it again once it got its 200.
struct StripeEventConsumer: Service {
    let consumer: PullConsumer
    let applier: StripeEventApplier
    let logger: Logger

    static let maxDeliveries = 1000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await message in consumer {
                    group.addTask { await handle(message) }
                }
            }
        }
        await consumer.stop()
    }

    func handle(_ message: JetStreamMessage) async {
        let event: StripeEvent
        do {
            event = try JSONDecoder().decode(StripeEvent.self, from: message.payload)
        } catch {
            logger.error("Stripe event unreadable; dropped", metadata: ["sequence": "\(message.streamSequence)", "error": "\(error)"])
            try? message.term()
            return
        }
        do {
            let outcome = try await applier.apply(event)
            try message.ack()
            logger.debug("Stripe event handled", metadata: ["id": "\(event.id)", "type": "\(event.type)", "outcome": "\(outcome)"])
        } catch let error as StripeError where error.status == 404 {
            // The object is gone at Stripe (deleted test data): nothing will ever apply.
            logger.error("Stripe event names a missing object; dropped", metadata: ["id": "\(event.id)", "error": "\(error)"])
            try? message.ack()
        } catch {
            let delay = min(Duration.milliseconds(250) * (1 << min(message.deliveryCount - 1, 12)), .seconds(300))
            logger.warning(
                "Stripe event not applied; will retry",
                metadata: ["id": "\(event.id)", "type": "\(event.type)", "in": "\(delay)", "error": "\(error)"])
            try? message.nak(delay: delay)
        }
    }
}
