import TollgateConfig

/// The Notifier's configuration from environment variables.
public struct NotifierConfig: Sendable {
    public var common: CommonConfig
    /// Where the development transport writes one `.eml` file per message.
    public var mailDirectory: String
    public var from: String
    public var productName: String
    /// A folder whose files override built-in templates by name (`verify_email.html.mustache`).
    public var templatesDirectory: String?
    public var maxInFlight: Int

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> NotifierConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        let config = NotifierConfig(
            common: common,
            mailDirectory: reader.string("TOLLGATE_MAIL_DIR", default: common.dataDirectory + "/mail"),
            from: reader.string("TOLLGATE_MAIL_FROM", default: "Tollgate <no-reply@localhost>"),
            productName: reader.string("TOLLGATE_PRODUCT_NAME", default: "Tollgate"),
            templatesDirectory: reader.optionalString("TOLLGATE_TEMPLATES_DIR"),
            maxInFlight: reader.int("TOLLGATE_MAIL_MAX_IN_FLIGHT", default: 16, in: 1...1024))
        try reader.finish()
        return config
    }
}
