import FluentKit
import Foundation
import SQLKit

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
        Self.hasAccess(status: status, currentPeriodEnd: currentPeriodEnd, at: now)
    }

    static func hasAccess(status: String, currentPeriodEnd: Date?, at now: Date) -> Bool {
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

/// A subscription row as plain SQL reads it: Stripe events read and write rows by the thousand, and
/// Fluent's model machinery (reflection on every row) cost more than the queries themselves.
struct SubscriptionRecord: Decodable, Sendable {
    var id: UUID
    var userID: UUID
    var planID: UUID
    var status: String
    var provider: String
    var providerSubscriptionID: String?
    var providerItemID: String?
    var startedAt: Date
    var currentPeriodEnd: Date?
    var cancelAtPeriodEnd: Bool
    var canceledAt: Date?
    var syncedAt: Date
    var createdAt: Date

    static func find(providerSubscriptionID: String, on sql: any SQLDatabase) async throws -> SubscriptionRecord? {
        try await sql.raw("""
            SELECT \(unsafeRaw: columns) FROM \(ident: Subscription.schema)
            WHERE provider_subscription_id = \(bind: providerSubscriptionID)
            """).first(decoding: SubscriptionRecord.self)
    }

    static func find(id: UUID, on sql: any SQLDatabase) async throws -> SubscriptionRecord? {
        try await sql.raw("SELECT \(unsafeRaw: columns) FROM \(ident: Subscription.schema) WHERE id = \(bind: id)")
            .first(decoding: SubscriptionRecord.self)
    }

    static let columns = """
        id, user_id, plan_id, status, provider, provider_subscription_id, provider_item_id, started_at,
        current_period_end, cancel_at_period_end, canceled_at, synced_at, created_at
        """

    /// The same row as a model, for the code that answers with one.
    var model: Subscription {
        let model = Subscription()
        model.id = id
        model.userID = userID
        model.planID = planID
        model.status = status
        model.provider = provider
        model.providerSubscriptionID = providerSubscriptionID
        model.providerItemID = providerItemID
        model.startedAt = startedAt
        model.currentPeriodEnd = currentPeriodEnd
        model.cancelAtPeriodEnd = cancelAtPeriodEnd
        model.canceledAt = canceledAt
        model.syncedAt = syncedAt
        model.createdAt = createdAt
        return model
    }

    enum CodingKeys: String, CodingKey {
        case id, status, provider
        case userID = "user_id"
        case planID = "plan_id"
        case providerSubscriptionID = "provider_subscription_id"
        case providerItemID = "provider_item_id"
        case startedAt = "started_at"
        case currentPeriodEnd = "current_period_end"
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case canceledAt = "canceled_at"
        case syncedAt = "synced_at"
        case createdAt = "created_at"
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

    init(
        id: String, status: String, startedAt: Date, cancelAtPeriodEnd: Bool, currentPeriodEnd: Date?, provider: String,
        providerSubscriptionID: String?, plan: PlanResponse?
    ) {
        self.id = id
        self.status = status
        self.startedAt = startedAt
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.currentPeriodEnd = currentPeriodEnd
        self.provider = provider
        self.providerSubscriptionID = providerSubscriptionID
        self.plan = plan
    }

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
