import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// Which Stripe subscription holds a user's one place: a user has at most one subscription giving
/// access, and this table says which one, decided by the database (a primary key on the user), so
/// two subscriptions applied at once on any number of Billing instances cannot both keep it.
struct SubscriptionSlots: Sendable {
    static let schema = "subscription_slots"

    let database: ServiceDatabase

    private struct Holder: Decodable {
        let provider_subscription_id: String
    }

    /// Claims the user's slot for `subscriptionID` if it is free, and returns who holds it now.
    func claim(user: UUID, subscriptionID: String, now: Date = Date()) async throws -> String {
        let table = Self.schema
        // The no-op update makes the conflicting row come back too, with its holder.
        return try await database.sql.raw("""
            INSERT INTO \(ident: table) (user_id, provider_subscription_id, claimed_at)
            VALUES (\(bind: user), \(bind: subscriptionID), \(bind: now))
            ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id
            RETURNING provider_subscription_id
            """).first(decoding: Holder.self)?.provider_subscription_id ?? subscriptionID
    }

    /// Gives the slot from `holder` to `subscriptionID`; false when someone else moved it first.
    func handOver(user: UUID, from holder: String, to subscriptionID: String, now: Date = Date()) async throws -> Bool {
        let moved = try await database.sql.update(Self.schema)
            .set("provider_subscription_id", to: subscriptionID).set("claimed_at", to: now)
            .where("user_id", .equal, user).where("provider_subscription_id", .equal, holder)
            .returning("user_id").all()
        return !moved.isEmpty
    }
}

/// A subscription canceled because it duplicated one the user already had: recorded once, with the
/// email that says so, before Stripe is asked to cancel and refund it.
enum DuplicateSubscriptions {
    static let schema = "duplicate_subscriptions"
}

struct CreateSubscriptionSlots: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SubscriptionSlots.schema)
            .field("user_id", .uuid, .identifier(auto: false))
            .field("provider_subscription_id", .string, .required)
            .field("claimed_at", .datetime, .required)
            .unique(on: "provider_subscription_id")
            .create()
        try await database.schema(DuplicateSubscriptions.schema)
            .field("provider_subscription_id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required)
            .field("kept_subscription_id", .string, .required)
            .field("refunded_cents", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        // Users who already hold a subscription with access keep it.
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO \(ident: SubscriptionSlots.schema) (user_id, provider_subscription_id, claimed_at)
            SELECT user_id, MIN(provider_subscription_id), MIN(created_at) FROM \(ident: Subscription.schema)
            WHERE provider_subscription_id IS NOT NULL AND status <> \(bind: Subscription.Status.canceled.rawValue)
            GROUP BY user_id
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DuplicateSubscriptions.schema).delete()
        try await database.schema(SubscriptionSlots.schema).delete()
    }
}
