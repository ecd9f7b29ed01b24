import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgateMessaging
import TollgatePersistence

/// Puts a user's entitlement in the outbox, in the transaction of the change that moved it; the
/// relay writes it to the entitlements bucket, which gateways read for `tier:` routes. A committed
/// change therefore always reaches the bucket, and the value, recomputed from every subscription of
/// the user, is right however often or late it is written.
struct EntitlementOutbox: Sendable {
    let bucket: String

    func enqueue(userID: UUID, now: Date, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let entitlement = Self.best(of: try await AccessGrant.current(userID: userID, now: now, on: sql))
        try await OutboxMessage.enqueue(
            subject: KeyValueBucket.putSubject(bucket: bucket, key: userID.lowercased), payload: entitlement, on: database)
    }

    /// The highest tier any grant gives, with the latest end among grants of that tier.
    static func best(of grants: [AccessGrant]) -> Entitlement {
        var best = Entitlement(tier: 0, accessUntil: nil)
        for grant in grants {
            let tier = grant.tier ?? 0
            let until = grant.currentPeriodEnd.map { Int64($0.timeIntervalSince1970) }
            if tier > best.tier || (tier == best.tier && (until ?? 0) > (best.accessUntil ?? 0)) {
                best = Entitlement(tier: tier, accessUntil: until)
            }
        }
        return best
    }
}

/// A subscription of a user that gives access now (`Subscription.hasAccess`), with its plan's tier.
struct AccessGrant: Decodable, Sendable {
    let id: UUID
    let status: String
    let currentPeriodEnd: Date?
    let tier: Int?

    static func current(userID: UUID, now: Date, on sql: any SQLDatabase) async throws -> [AccessGrant] {
        try await sql.raw("""
            SELECT s.id, s.status, s.current_period_end, p.tier
            FROM \(ident: Subscription.schema) AS s LEFT JOIN \(ident: Plan.schema) AS p ON p.id = s.plan_id
            WHERE s.user_id = \(bind: userID)
            """).all(decoding: AccessGrant.self)
            .filter { Subscription.hasAccess(status: $0.status, currentPeriodEnd: $0.currentPeriodEnd, at: now) }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, tier
        case currentPeriodEnd = "current_period_end"
    }
}
