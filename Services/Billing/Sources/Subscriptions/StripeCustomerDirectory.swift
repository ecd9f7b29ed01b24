import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence

/// One Stripe customer per user, created once even when two first checkouts race: both ask Stripe
/// with the same idempotency key (so Stripe makes one customer) and the first row written wins.
struct StripeCustomerDirectory: Sendable {
    let database: ServiceDatabase
    let stripe: StripeCalls

    private struct Row: Decodable {
        let stripe_customer_id: String
    }

    func existing(_ userID: UUID) async throws -> String? {
        try await database.sql.select().column("stripe_customer_id").from(StripeCustomers.schema)
            .where("user_id", .equal, userID).first(decoding: Row.self)?.stripe_customer_id
    }

    func ensure(_ account: AccountSummary) async throws -> String {
        if let id = try await existing(account.id) { return id }
        let created = try await stripe.createCustomer(userID: account.id, email: account.email, name: account.username)
        try await database.sql.raw("""
            INSERT INTO \(ident: StripeCustomers.schema) (user_id, stripe_customer_id, created_at)
            VALUES (\(bind: account.id), \(bind: created), \(bind: Date()))
            ON CONFLICT (user_id) DO NOTHING
            """).run()
        return try await existing(account.id) ?? created
    }
}
