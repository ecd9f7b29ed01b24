import Foundation
import TollgateConfig

/// The Notifier's configuration from environment variables.
public struct NotifierConfig: Sendable {
    public var common: CommonConfig
    /// How mail leaves: SMTP, a folder of `.eml` files (the default) or the log.
    public var mail: MailURL
    public var from: String
    public var replyTo: String?
    public var branding: Branding
    /// A folder whose files override built-in templates by name (`verify_email.html.mustache`).
    public var templatesDirectory: String?
    public var databaseURL: String
    /// Messages being delivered at once.
    public var maxInFlight: Int
    /// Deliveries tried before a message goes to the dead letters.
    public var maxAttempts: Int
    /// The first retry waits this long; each next one twice as long (at most 10 minutes).
    public var retryBase: Duration
    /// A message not acknowledged this long after it was handed out is redelivered.
    public var ackWait: Duration

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> NotifierConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        let from = reader.string("TOLLGATE_MAIL_FROM", default: "Tollgate <no-reply@localhost>")
        let mailText = reader.string("TOLLGATE_MAIL_URL", default: "file://\(common.dataDirectory)/mail")
        var settings = MailURL.parse(
            mailText, heloName: reader.string("TOLLGATE_MAIL_HELO", default: ProcessInfo.processInfo.hostName),
            caFile: reader.optionalString("TOLLGATE_MAIL_CA_FILE"))
        if case .success(.smtp(var smtp)) = settings {
            smtp.commandTimeout = reader.seconds("TOLLGATE_SMTP_TIMEOUT", default: .seconds(30), in: 1...600)
            smtp.idleTimeout = reader.seconds("TOLLGATE_SMTP_IDLE_TIMEOUT", default: .seconds(30), in: 1...3600)
            settings = .success(.smtp(smtp))
        }
        let mail: MailURL
        switch settings {
        case .success(let parsed): mail = parsed
        case .failure(let problem):
            reader.addProblem("TOLLGATE_MAIL_URL: \(problem)")
            mail = .log
        }
        let config = NotifierConfig(
            common: common, mail: mail, from: from,
            replyTo: reader.optionalString("TOLLGATE_MAIL_REPLY_TO"),
            branding: Branding(
                productName: common.productName,
                supportEmail: reader.string("TOLLGATE_SUPPORT_EMAIL", default: MimeMessage.address(of: from)),
                publicURL: common.publicURL,
                brandColor: reader.string("TOLLGATE_BRAND_COLOR", default: "#4f46e5")),
            templatesDirectory: reader.optionalString("TOLLGATE_TEMPLATES_DIR"),
            databaseURL: reader.databaseURL(
                "TOLLGATE_NOTIFIER_DATABASE_URL", default: common.defaultDatabaseURL(service: "notifier")),
            maxInFlight: reader.int("TOLLGATE_MAIL_MAX_IN_FLIGHT", default: 16, in: 1...1024),
            maxAttempts: reader.int("TOLLGATE_MAIL_MAX_ATTEMPTS", default: 10, in: 1...100),
            retryBase: reader.seconds("TOLLGATE_MAIL_RETRY_BASE", default: .seconds(5), in: 1...3600),
            ackWait: reader.seconds("TOLLGATE_MAIL_ACK_WAIT", default: .seconds(60), in: 1...3600))
        try reader.finish()
        return config
    }
}

/// What every template may use besides its own data.
public struct Branding: Sendable, Equatable {
    public var productName: String
    public var supportEmail: String
    public var publicURL: String
    public var brandColor: String

    public init(productName: String, supportEmail: String, publicURL: String, brandColor: String) {
        self.productName = productName
        self.supportEmail = supportEmail
        self.publicURL = publicURL
        self.brandColor = brandColor
    }

    var variables: [String: String] {
        ["product_name": productName, "support_email": supportEmail, "public_url": publicURL, "brand_color": brandColor]
    }
}
