import FluentKit
import Foundation

/// A user's subscription to a plan. Stripe's copy is the truth for Stripe subscriptions; this row is
/// what Billing last applied from it (see `SubscriptionSync`).
public final class Subscription: Model, @unchecked Sendable {
    public static let schema = "subscriptions"

    /// Status values of the contract.
    public enum Status: String, Sendable {
        case active, trialing, pending, canceled
        case pastDue = "past_due"
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "plan_id") public var planID: UUID
    @Field(key: "status") public var status: String
    @Field(key: "provider") public var provider: String
    @OptionalField(key: "provider_subscription_id") public var providerSubscriptionID: String?
    @OptionalField(key: "provider_item_id") public var providerItemID: String?
    @Field(key: "started_at") public var startedAt: Date
    @OptionalField(key: "current_period_end") public var currentPeriodEnd: Date?
    @Field(key: "cancel_at_period_end") public var cancelAtPeriodEnd: Bool
    @OptionalField(key: "canceled_at") public var canceledAt: Date?
    /// When the Stripe read this row was last written from began: an older read never overwrites a
    /// newer one, whatever order events are handled in.
    @Field(key: "synced_at") public var syncedAt: Date
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    /// The contract's access rule: the period has not ended and the subscription is not finally canceled.
    public func hasAccess(at now: Date = Date()) -> Bool {
        status != Status.canceled.rawValue && (currentPeriodEnd.map { $0 > now } ?? false)
    }

    /// The user's subscriptions that give access now (`hasAccess`), the longest-lasting first. A user
    /// has a handful of subscriptions, so the rule is applied here rather than copied into SQL.
    static func withAccess(userID: UUID, on database: any Database, now: Date = Date()) async throws -> [Subscription] {
        try await Subscription.query(on: database).filter(\.$userID == userID).all()
            .filter { $0.hasAccess(at: now) }
            .sorted { ($0.currentPeriodEnd ?? now, $0.createdAt) > ($1.currentPeriodEnd ?? now, $1.createdAt) }
    }
}

/// The contract's subscription object.
struct SubscriptionResponse: Encodable, Sendable {
    let id: String
    let status: String
    let startedAt: Date
    let cancelAtPeriodEnd: Bool
    let currentPeriodEnd: Date?
    let provider: String
    let providerSubscriptionID: String?
    let plan: PlanResponse?

    init(_ subscription: Subscription, plan: Plan?) {
        id = (subscription.id ?? UUID()).uuidString.lowercased()
        status = subscription.status
        startedAt = subscription.startedAt
        cancelAtPeriodEnd = subscription.cancelAtPeriodEnd
        currentPeriodEnd = subscription.currentPeriodEnd
        provider = subscription.provider
        providerSubscriptionID = subscription.providerSubscriptionID
        self.plan = plan.map(PlanResponse.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, provider, plan
        case startedAt = "started_at"
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case currentPeriodEnd = "current_period_end"
        case providerSubscriptionID = "provider_subscription_id"
    }
}
