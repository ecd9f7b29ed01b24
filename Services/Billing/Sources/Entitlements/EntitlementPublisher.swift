import FluentKit
import Foundation
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit

/// Writes a user's current tier and access end to the entitlements bucket, which gateways read for
/// `tier:` routes. Always recomputed from every subscription of the user, so writing it twice, late
/// or after a duplicate event is harmless.
struct EntitlementPublisher: Sendable {
    let database: ServiceDatabase
    let bucket: KeyValueBucket

    @discardableResult
    func publish(userID: UUID, now: Date = Date()) async throws -> Entitlement {
        let entitlement = try await current(userID: userID, now: now)
        _ = try await bucket.put(userID.lowercased, try JSONCoding.encoder.encode(entitlement))
        return entitlement
    }

    func current(userID: UUID, now: Date = Date()) async throws -> Entitlement {
        let subscriptions = try await Subscription.withAccess(userID: userID, on: database.database, now: now)
        let plans = try await Plan.query(on: database.database).filter(\.$id ~~ subscriptions.map(\.planID)).all()
        let tiers = Dictionary(uniqueKeysWithValues: plans.compactMap { plan in plan.id.map { ($0, plan.tier) } })
        var best = Entitlement(tier: 0, accessUntil: nil)
        for subscription in subscriptions {
            let tier = tiers[subscription.planID] ?? 0
            let until = subscription.currentPeriodEnd.map { Int64($0.timeIntervalSince1970) }
            if tier > best.tier || (tier == best.tier && (until ?? 0) > (best.accessUntil ?? 0)) {
                best = Entitlement(tier: tier, accessUntil: until)
            }
        }
        return best
    }
}
