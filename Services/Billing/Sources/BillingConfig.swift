import TollgateConfig

/// Billing's configuration from environment variables.
public struct BillingConfig: Sendable {
    public var common: CommonConfig
    public var databaseURL: String
    /// `STRIPE_SECRET_KEY`; without it Billing cannot call Stripe (plans stay local).
    public var stripeSecretKey: String?
    /// `STRIPE_API_BASE`: Stripe's API, or a Stripe-compatible server in tests.
    public var stripeAPIBase: String

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> BillingConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        let databaseURL = reader.databaseURL(
            "TOLLGATE_BILLING_DATABASE_URL", default: common.defaultDatabaseURL(service: "billing"))
        let stripeSecretKey = reader.optionalString("STRIPE_SECRET_KEY")
        let stripeAPIBase = reader.url("STRIPE_API_BASE", default: "https://api.stripe.com", schemes: ["http", "https"])
        try reader.finish()
        return BillingConfig(
            common: common, databaseURL: databaseURL, stripeSecretKey: stripeSecretKey, stripeAPIBase: stripeAPIBase)
    }
}
