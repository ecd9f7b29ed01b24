import TollgateConfig

/// The Webhook service's configuration from environment variables.
public struct WebhookConfig: Sendable {
    public var common: CommonConfig
    public var host: String
    public var port: Int

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> WebhookConfig {
        var reader = EnvironmentReader(environment)
        let config = WebhookConfig(
            common: CommonConfig.read(&reader),
            host: reader.string("TOLLGATE_WEBHOOK_HOST", default: "0.0.0.0"),
            port: reader.port("TOLLGATE_WEBHOOK_PORT", default: 8081))
        try reader.finish()
        return config
    }
}
