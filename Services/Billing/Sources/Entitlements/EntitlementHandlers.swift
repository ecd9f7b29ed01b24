import FluentKit
import Foundation
import SQLKit
import TollgatePersistence
import TollgateServiceKit

/// `GET /billing/entitlements/me`: what the gateways enforce for the caller, computed the same way
/// as the value Billing writes to their bucket.
struct EntitlementHandlers: Sendable {
    let database: ServiceDatabase
    /// The gateways' quota counts.
    let usage: QuotaUsageState

    struct EntitlementResponse: Codable, Sendable {
        /// The code of the plan giving access; nil without one.
        let plan: String?
        let tier: Int
        let features: [String]
        let limits: [String: Int]
        /// When that access ends.
        let accessUntil: Date?
        /// What the gateways counted against each limit this period (routes with `quota:`), 0 for a
        /// limit nothing counted against yet; empty without a plan.
        let usage: [String: Int]

        enum CodingKeys: String, CodingKey {
            case plan, tier, features, limits, usage
            case accessUntil = "access_until"
        }
    }

    func mine(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let grants = try await AccessGrant.current(userID: principal.userID, now: Date(), on: database.sql)
        let entitlement = EntitlementOutbox.best(of: grants)
        var counted: [String: Int] = [:]
        if let periodEnd = entitlement.accessUntil {
            counted = usage.usage(user: principal.userID.lowercased, periodEnd: periodEnd)
            for name in entitlement.limits.keys where counted[name] == nil { counted[name] = 0 }
        }
        return .json(
            200,
            EntitlementResponse(
                plan: entitlement.plan, tier: entitlement.tier, features: entitlement.features, limits: entitlement.limits,
                accessUntil: entitlement.accessUntil.map { Date(timeIntervalSince1970: TimeInterval($0)) }, usage: counted))
    }
}
