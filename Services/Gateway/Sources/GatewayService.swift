import Foundation
import Hummingbird
import Logging
import NIOCore
import TollgateContracts
import TollgateMessaging

/// The gateway's parts, wired together into a Hummingbird application.
public enum GatewayService {
    /// Builds the application. `onServerRunning` receives the bound port (useful with port 0).
    public static func makeApplication(
        config: GatewayConfig, routesFile: RoutesFile, connection: NatsConnection, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let subjects = Subjects(prefix: config.common.prefix)
        let routes = try RouteTable(file: routesFile, subjectPrefix: subjects.prefix)
        let state = SharedState()
        let jetStream = try connection.jetStream()
        let watcher = SharedStateWatcher(
            jetStream: jetStream, subjects: subjects, state: state, logger: logger)
        let responder = GatewayResponder(
            routes: routes,
            verifier: AccessTokenVerifier(state: state, issuer: config.issuer, audience: config.audience),
            tiers: TierGate(state: state),
            limiter: RateLimiter(),
            connection: connection,
            clientAddress: ClientAddress(trustedProxies: routesFile.trustedProxies ?? []),
            cors: CorsPolicy(origins: routesFile.cors?.origins ?? []),
            readiness: Readiness(
                connection: connection, state: state, subjects: subjects, services: [.auth, .billing, .webhook, .notifier],
                timeout: .seconds(1)),
            bodyLimit: routesFile.bodyLimit,
            logger: logger)
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            services: [watcher],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: logger)
    }
}
