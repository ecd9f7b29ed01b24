import TollgateConfig

/// Billing's configuration from environment variables.
public struct BillingConfig: Sendable {
    public var common: CommonConfig
    public var databaseURL: String

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> BillingConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        let databaseURL = reader.databaseURL(
            "TOLLGATE_BILLING_DATABASE_URL", default: common.defaultDatabaseURL(service: "billing"))
        try reader.finish()
        return BillingConfig(common: common, databaseURL: databaseURL)
    }
}
