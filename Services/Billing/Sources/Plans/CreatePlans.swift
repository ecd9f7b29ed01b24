import FluentKit
import Foundation
import SQLKit

struct CreatePlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Plan.schema)
            .id()
            .field("name", .string, .required)
            .field("code", .string, .required)
            .field("price_cents", .int, .required)
            .field("currency", .string, .required)
            .field("billing_period", .string, .required)
            .field("tier", .int, .required)
            .field("is_active", .bool, .required)
            .field("stripe_product_id", .string)
            .field("stripe_price_id", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Plan.schema).delete()
    }
}

/// The contract's seed plans: `free` (0, tier 0) and `pro` (1900 cents, tier 1), monthly, USD.
/// Written with the columns plans had then (the model has gained some since, added by later
/// migrations), so that a new database migrates in order.
struct SeedPlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, code, price, tier) in [("Free", "free", 0, 0), ("Pro", "pro", 1900, 1)] {
            try await sql.insert(into: Plan.schema)
                .columns("id", "name", "code", "price_cents", "currency", "billing_period", "tier", "is_active", "created_at")
                .values(
                    SQLBind(UUID()), SQLBind(name), SQLBind(code), SQLBind(price), SQLBind("USD"), SQLBind("monthly"), SQLBind(tier),
                    SQLBind(true), SQLBind(Date()))
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        try await Plan.query(on: database).filter(\.$code ~~ ["free", "pro"]).delete()
    }
}
