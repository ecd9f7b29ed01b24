import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import TollgatePersistence

/// Every `interval`, in one Billing instance at a time (a lease), ends subscriptions whose period
/// has passed: one set to cancel at the period's end (or not kept by Stripe) becomes `canceled`; a
/// Stripe subscription that should have renewed is read again from Stripe instead, so a late
/// renewal event cannot lose a paying user their plan.
struct ExpirySweep: Service {
    let database: ServiceDatabase
    let lease: Lease
    let stripe: StripeCalls?
    let sync: SubscriptionSync
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await lease.acquire() {
                        let ended = try await sweep()
                        if ended > 0 { logger.info("expiry sweep ended subscriptions", metadata: ["count": "\(ended)"]) }
                    }
                } catch {
                    logger.warning("expiry sweep failed; next run will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
        try? await lease.release()
    }

    /// One pass; returns how many subscriptions it ended.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let expired = try await Subscription.query(on: database.database)
            .filter(\.$status != Subscription.Status.canceled.rawValue)
            .filter(\.$currentPeriodEnd <= now)
            .all()
        var ended = 0
        for subscription in expired {
            if let stripe, let stripeID = subscription.providerSubscriptionID, !subscription.cancelAtPeriodEnd {
                let readAt = Date()
                let applied = try await sync.apply(try await stripe.subscription(stripeID), readAt: readAt, now: now)
                if applied?.subscription.status == Subscription.Status.canceled.rawValue { ended += 1 }
                continue
            }
            if try await sync.endLocally(subscription, now: now) { ended += 1 }
        }
        return ended
    }
}
