import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgateMessaging
import TollgatePersistence

/// Puts a user's entitlement in the outbox, in the transaction of the change that moved it; the
/// relay writes it to the entitlements bucket, which gateways read for `tier:` and `feature:`
/// routes. A committed change therefore always reaches the bucket, and the value, recomputed from
/// every subscription of the user and their plans, is right however often or late it is written.
struct EntitlementOutbox: Sendable {
    let bucket: String

    func enqueue(userID: UUID, now: Date, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let entitlement = Self.best(of: try await AccessGrant.current(userID: userID, now: now, on: sql))
        try await OutboxMessage.enqueue(
            subject: KeyValueBucket.putSubject(bucket: bucket, key: userID.lowercased), payload: entitlement, on: database)
    }

    /// Rewrites the entitlement of every user a plan gives access to (its tier, features or limits
    /// changed), in the transaction of that change.
    func enqueue(subscribersOf planID: UUID, now: Date, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let users = try await sql.raw("""
            SELECT DISTINCT user_id FROM \(ident: Subscription.schema)
            WHERE plan_id = \(bind: planID) AND status <> \(bind: Subscription.Status.canceled.rawValue)
            """).all(decoding: UserRow.self)
        for user in users { try await enqueue(userID: user.userID, now: now, on: database) }
    }

    private struct UserRow: Decodable {
        let userID: UUID
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }

    /// The plan of the highest tier any grant gives, with the latest end among grants of that tier.
    static func best(of grants: [AccessGrant]) -> Entitlement {
        var best: AccessGrant?
        for grant in grants {
            guard let current = best else {
                best = grant
                continue
            }
            let tier = grant.tier ?? 0, bestTier = current.tier ?? 0
            let until = grant.currentPeriodEnd ?? .distantPast, bestUntil = current.currentPeriodEnd ?? .distantPast
            if tier > bestTier || (tier == bestTier && until > bestUntil) { best = grant }
        }
        guard let best else { return Entitlement(tier: 0, accessUntil: nil) }
        return Entitlement(
            tier: best.tier ?? 0, accessUntil: best.currentPeriodEnd.map { Int64($0.timeIntervalSince1970) }, plan: best.code,
            features: PlanEntitlements.features(best.features ?? "[]"), limits: PlanEntitlements.limits(best.limits ?? "{}"))
    }
}

/// A subscription of a user that gives access now (`Subscription.hasAccess`), with its plan's tier,
/// code, features and limits (nil when the plan is gone from the table).
struct AccessGrant: Decodable, Sendable {
    let id: UUID
    let status: String
    let currentPeriodEnd: Date?
    let tier: Int?
    var code: String? = nil
    var features: String? = nil
    var limits: String? = nil

    static func current(userID: UUID, now: Date, on sql: any SQLDatabase) async throws -> [AccessGrant] {
        try await sql.raw("""
            SELECT s.id, s.status, s.current_period_end, p.tier, p.code, p.features, p.limits
            FROM \(ident: Subscription.schema) AS s LEFT JOIN \(ident: Plan.schema) AS p ON p.id = s.plan_id
            WHERE s.user_id = \(bind: userID)
            """).all(decoding: AccessGrant.self)
            .filter { Subscription.hasAccess(status: $0.status, currentPeriodEnd: $0.currentPeriodEnd, at: now) }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, tier, code, features, limits
        case currentPeriodEnd = "current_period_end"
    }
}
