import Foundation

/// Settings every executable shares.
public struct CommonConfig: Sendable, Equatable {
    public enum Environment: String, Sendable, CaseIterable {
        case development, production
    }

    /// `NATS_URL`: one server, or every server of a cluster comma-separated (a connection moves to
    /// another when its server goes away).
    public var natsURL: String
    /// `TOLLGATE_NATS_SEED[_FILE]`: the service's nkey seed; unset, the identity's file under the
    /// data folder (`CredentialsLayout`) is used.
    public var natsSeed: SecretText?
    /// `TOLLGATE_NATS_CLI_SEED[_FILE]`: the seed of the executable's operator commands (`rotate-key`,
    /// `dead-letters`), which are identities of their own.
    public var natsCLISeed: SecretText?
    /// `TOLLGATE_NATS_CA_FILE`: certificate authorities for a `tls://` NATS server.
    public var natsCAFile: String?
    /// `TOLLGATE_JWT_ISSUER`, `TOLLGATE_JWT_AUDIENCE`: what access tokens say, and what every
    /// verifier (gateways, Auth, Billing) insists on.
    public var jwtIssuer: String = "tollgate"
    public var jwtAudience: String = "tollgate"
    /// `TOLLGATE_EMAIL_PUBLIC_KEY[_FILE]`: the Notifier's key that Auth and Billing seal emails to
    /// (unset: the one under the data folder).
    public var emailPublicKey: SecretText?
    /// `TOLLGATE_EMAIL_PRIVATE_KEY[_FILE]`: the Notifier's keys that open them, newest first.
    public var emailPrivateKey: SecretText?
    /// Prefix of every subject, stream and bucket name.
    public var prefix: String
    public var dataDirectory: String
    public var environment: Environment
    public var logLevel: String
    /// `TOLLGATE_PUBLIC_URL`: where users reach the product (links in emails, Stripe's return pages).
    public var publicURL: String
    /// `TOLLGATE_PRODUCT_NAME`: what emails call the product, and a word no password may contain.
    public var productName: String = "Tollgate"
    /// `TOLLGATE_MAX_REQUESTS_IN_FLIGHT`: how many HTTP requests one service instance works on at once; more
    /// are answered 503 at once rather than queued without bound.
    public var maxRequestsInFlight: Int = 512
    /// `TOLLGATE_JETSTREAM_REPLICAS`: how many servers hold a copy of every stream and bucket (1 on
    /// one server, 3 on a cluster); an existing stream with another count is brought to it.
    public var jetStreamReplicas: Int = 1
    /// `TOLLGATE_JETSTREAM_PLACEMENT_TAGS`: comma-separated; only servers whose `server_tags` hold
    /// every one keep the streams and buckets (none: any server).
    public var jetStreamPlacementTags: [String] = []

    public init(
        natsURL: String, prefix: String, dataDirectory: String, environment: Environment, logLevel: String,
        publicURL: String = "http://localhost:8080", natsSeed: SecretText? = nil, natsCLISeed: SecretText? = nil,
        natsCAFile: String? = nil
    ) {
        self.natsURL = natsURL
        self.natsSeed = natsSeed
        self.natsCLISeed = natsCLISeed
        self.natsCAFile = natsCAFile
        self.prefix = prefix
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.logLevel = logLevel
        self.publicURL = publicURL
    }

    public static func read(_ reader: inout EnvironmentReader) -> CommonConfig {
        let natsURL = reader.urlList("NATS_URL", default: "nats://127.0.0.1:4222", schemes: ["nats", "tls"])
        let prefix = reader.string("TOLLGATE_PREFIX", default: "tollgate")
        if prefix.isEmpty || !prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            reader.addProblem("TOLLGATE_PREFIX: letters, digits, _ and - only, got \"\(prefix)\"")
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        let logLevel = reader.string("TOLLGATE_LOG_LEVEL", default: "info").lowercased()
        if !levels.contains(logLevel) {
            reader.addProblem("TOLLGATE_LOG_LEVEL: expected one of \(levels.joined(separator: ", ")), got \"\(logLevel)\"")
        }
        let caFile = reader.optionalString("TOLLGATE_NATS_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            reader.addProblem("TOLLGATE_NATS_CA_FILE: cannot read \(caFile)")
        }
        let dataDirectory = reader.string("TOLLGATE_DATA_DIR", default: ".data")
        let layout = CredentialsLayout(dataDirectory: dataDirectory)
        var config = CommonConfig(
            natsURL: natsURL,
            prefix: prefix,
            dataDirectory: dataDirectory,
            environment: reader.oneOf("TOLLGATE_ENV", default: Environment.development),
            logLevel: logLevel,
            publicURL: reader.url("TOLLGATE_PUBLIC_URL", default: "http://localhost:8080", schemes: ["http", "https"]),
            natsSeed: reader.secret("TOLLGATE_NATS_SEED", defaultFile: nil),
            natsCLISeed: reader.secret("TOLLGATE_NATS_CLI_SEED", defaultFile: nil),
            natsCAFile: caFile)
        config.productName = reader.string("TOLLGATE_PRODUCT_NAME", default: "Tollgate")
        config.maxRequestsInFlight = reader.int("TOLLGATE_MAX_REQUESTS_IN_FLIGHT", default: 512, in: 1...100_000)
        config.jetStreamReplicas = reader.int("TOLLGATE_JETSTREAM_REPLICAS", default: 1, in: 1...5)
        let tagList = reader.string("TOLLGATE_JETSTREAM_PLACEMENT_TAGS", default: "")
        let tags = tagList.isEmpty
            ? [] : tagList.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if !tags.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || ":_-.".contains($0) } }) {
            reader.addProblem("TOLLGATE_JETSTREAM_PLACEMENT_TAGS: comma-separated tags of letters, digits and :_-.")
        }
        config.jetStreamPlacementTags = tags
        config.jwtIssuer = reader.string("TOLLGATE_JWT_ISSUER", default: "tollgate")
        config.jwtAudience = reader.string("TOLLGATE_JWT_AUDIENCE", default: "tollgate")
        config.emailPublicKey = reader.secret("TOLLGATE_EMAIL_PUBLIC_KEY", defaultFile: layout.emailPublicKey)
        config.emailPrivateKey = reader.secret("TOLLGATE_EMAIL_PRIVATE_KEY", defaultFile: layout.emailPrivateKey)
        return config
    }

    /// Where the deployment's generated credentials are kept.
    public var credentials: CredentialsLayout { CredentialsLayout(dataDirectory: dataDirectory) }

    /// The default database URL of a service: a SQLite file under the data folder.
    public func defaultDatabaseURL(service: String) -> String {
        "sqlite://\(dataDirectory)/\(service).sqlite"
    }
}
