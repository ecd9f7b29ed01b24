/// Settings every executable shares.
public struct CommonConfig: Sendable, Equatable {
    public enum Environment: String, Sendable, CaseIterable {
        case development, production
    }

    public var natsURL: String
    /// Prefix of every subject, stream and bucket name.
    public var prefix: String
    public var dataDirectory: String
    public var environment: Environment
    public var logLevel: String
    /// `TOLLGATE_PUBLIC_URL`: where users reach the product (links in emails, Stripe's return pages).
    public var publicURL: String

    public init(
        natsURL: String, prefix: String, dataDirectory: String, environment: Environment, logLevel: String,
        publicURL: String = "http://localhost:8080"
    ) {
        self.natsURL = natsURL
        self.prefix = prefix
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.logLevel = logLevel
        self.publicURL = publicURL
    }

    public static func read(_ reader: inout EnvironmentReader) -> CommonConfig {
        let natsURL = reader.url("NATS_URL", default: "nats://127.0.0.1:4222", schemes: ["nats", "tls"])
        let prefix = reader.string("TOLLGATE_PREFIX", default: "tollgate")
        if prefix.isEmpty || !prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            reader.addProblem("TOLLGATE_PREFIX: letters, digits, _ and - only, got \"\(prefix)\"")
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        let logLevel = reader.string("TOLLGATE_LOG_LEVEL", default: "info").lowercased()
        if !levels.contains(logLevel) {
            reader.addProblem("TOLLGATE_LOG_LEVEL: expected one of \(levels.joined(separator: ", ")), got \"\(logLevel)\"")
        }
        return CommonConfig(
            natsURL: natsURL,
            prefix: prefix,
            dataDirectory: reader.string("TOLLGATE_DATA_DIR", default: ".data"),
            environment: reader.oneOf("TOLLGATE_ENV", default: Environment.development),
            logLevel: logLevel,
            publicURL: reader.url("TOLLGATE_PUBLIC_URL", default: "http://localhost:8080", schemes: ["http", "https"]))
    }

    /// The default database URL of a service: a SQLite file under the data folder.
    public func defaultDatabaseURL(service: String) -> String {
        "sqlite://\(dataDirectory)/\(service).sqlite"
    }
}
