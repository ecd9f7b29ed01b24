import FluentKit

/// Stripe customers, subscriptions, payments, processed Stripe events and the sweep's lease.
struct CreateBillingTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StripeCustomers.schema)
            .field("user_id", .uuid, .identifier(auto: false))
            .field("stripe_customer_id", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Subscription.schema)
            .id()
            .field("user_id", .uuid, .required)
            .field("plan_id", .uuid, .required)
            .field("status", .string, .required)
            .field("provider", .string, .required)
            .field("provider_subscription_id", .string)
            .field("provider_item_id", .string)
            .field("started_at", .datetime, .required)
            .field("current_period_end", .datetime)
            .field("cancel_at_period_end", .bool, .required)
            .field("canceled_at", .datetime)
            .field("synced_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "provider_subscription_id")
            .create()
        try await database.schema(Payment.schema)
            .id()
            .field("subscription_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("provider", .string, .required)
            .field("provider_invoice_id", .string, .required)
            .field("amount_cents", .int, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "provider_invoice_id")
            .create()
        try await database.schema(ProcessedStripeEvents.schema)
            .field("event_id", .string, .identifier(auto: false))
            .field("type", .string, .required)
            .field("processed_at", .datetime, .required)
            .create()
        try await database.schema(Leases.schema)
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [Leases.schema, ProcessedStripeEvents.schema, Payment.schema, Subscription.schema, StripeCustomers.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// One Stripe customer per user: `user_id`, `stripe_customer_id`, `created_at`.
enum StripeCustomers {
    static let schema = "stripe_customers"
}

/// Stripe events already applied, by event id: `event_id`, `type`, `processed_at`.
enum ProcessedStripeEvents {
    static let schema = "processed_stripe_events"
}

/// Named leases (`name`, `holder`, `expires_at`): a job only one Billing instance may run at a time.
enum Leases {
    static let schema = "leases"
}
