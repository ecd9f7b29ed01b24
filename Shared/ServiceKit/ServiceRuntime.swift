import Foundation
import Logging
import ServiceLifecycle
import TollgateConfig
import TollgateContracts
import TollgateMessaging

/// Start-up helpers every executable shares.
public enum ServiceRuntime {
    /// Logs to standard error at the configured level, labelled with the executable's name.
    public static func makeLogger(_ label: String, level: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }

    /// The process environment merged with a development `.env` file.
    public static func environment() -> [String: String] {
        DotEnv.merged(processEnvironment: ProcessInfo.processInfo.environment)
    }

    /// Runs services until SIGINT or SIGTERM, then shuts them down gracefully in reverse order.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// Connects to NATS as `identity`, logging while it waits for the server. Missing credentials
    /// are a `ConfigurationError`; credentials the server refuses end the wait at once.
    public static func connect(config: CommonConfig, identity: BusIdentity, name: String, logger: Logger) async throws
        -> NatsConnection
    {
        let options = try config.natsOptions(identity: identity, name: name)
        logger.info(
            "connecting to NATS",
            metadata: ["url": "\(redactedURL(config.natsURL))", "identity": "\(identity.rawValue)", "key": "\(options.credentials.publicKey)"])
        do {
            let connection = try await NatsConnection.connect(options, logger: logger)
            logger.info("connected to NATS")
            return connection
        } catch let error as NatsError where error.code == .authentication {
            throw ConfigurationError(problems: ["\(CommonConfig.seedVariable(of: identity)): \(error.message)"])
        } catch let error as NatsError where error.code == .tls {
            throw ConfigurationError(problems: ["NATS_URL / TOLLGATE_NATS_CA_FILE: \(error.message)"])
        }
    }
}
