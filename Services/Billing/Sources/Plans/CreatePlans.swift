import FluentKit

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
struct SeedPlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await Plan(name: "Free", code: "free", priceCents: 0, currency: "USD", billingPeriod: "monthly", tier: 0)
            .create(on: database)
        try await Plan(name: "Pro", code: "pro", priceCents: 1900, currency: "USD", billingPeriod: "monthly", tier: 1)
            .create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await Plan.query(on: database).filter(\.$code ~~ ["free", "pro"]).delete()
    }
}
