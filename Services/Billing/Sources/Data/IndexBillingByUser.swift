import FluentKit
import SQLKit

/// Every Stripe event recomputes its user's entitlement from the user's subscriptions, and the
/// payment history is read per user: both by `user_id`, which no index covered.
struct IndexBillingByUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX subscriptions_user ON \(ident: Subscription.schema) (user_id)").run()
        try await sql.raw("CREATE INDEX payments_user ON \(ident: Payment.schema) (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX subscriptions_user").run()
        try await sql.raw("DROP INDEX payments_user").run()
    }
}
