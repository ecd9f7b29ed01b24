import TollgateConfig
import TollgateHTTPServer

/// The Webhook service's configuration from environment variables.
public struct WebhookConfig: Sendable {
    public var common: CommonConfig
    public var host: String
    public var port: Int
    /// `STRIPE_WEBHOOK_SECRET`: the endpoint secrets (`whsec_…`), comma-separated while rotating.
    /// With none, every event is refused with 503 so Stripe keeps it.
    public var stripeSecrets: [String]
    public var tolerance: Int
    /// Deadlines for slow and idle clients.
    public var timeouts: HTTPTimeouts
    /// `TOLLGATE_WEBHOOK_STORE_WAIT_MS`: how long an event may wait for JetStream to take it (a
    /// stream electing a new leader after a server was lost needs a few seconds) before the answer
    /// is 503 and Stripe retries later.
    public var storeWait: Duration

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> WebhookConfig {
        var reader = EnvironmentReader(environment)
        let config = WebhookConfig(
            common: CommonConfig.read(&reader),
            host: reader.string("TOLLGATE_WEBHOOK_HOST", default: "0.0.0.0"),
            port: reader.port("TOLLGATE_WEBHOOK_PORT", default: 8081),
            stripeSecrets: (reader.optionalString("STRIPE_WEBHOOK_SECRET") ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            tolerance: reader.int("STRIPE_WEBHOOK_TOLERANCE", default: 300, in: 1...86400),
            timeouts: HTTPTimeouts.read(&reader),
            storeWait: .milliseconds(reader.int("TOLLGATE_WEBHOOK_STORE_WAIT_MS", default: 5000, in: 0...30_000)))
        try reader.finish()
        return config
    }
}
