import Foundation
import Hummingbird
import Logging
import NIOCore
import TollgateContracts
import TollgateHTTPServer
import TollgateMessaging
import TollgateServiceKit

/// The gateway's parts, wired together into a Hummingbird application.
public enum GatewayService {
    /// Builds the application. `onServerRunning` receives the bound port (useful with port 0).
    public static func makeApplication(
        config: GatewayConfig, routesFile: RoutesFile, connection: NatsConnection, logger: Logger,
        clock: TimeSource = .system, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let subjects = Subjects(prefix: config.common.prefix)
        let routes = try RouteTable(file: routesFile, subjectPrefix: subjects.prefix)
        let tokens = TokenState()
        let entitlements = EntitlementState()
        let jetStream = try connection.jetStream()
        let cors = CorsPolicy(origins: routesFile.cors?.origins ?? [])
        let limiter = RateLimiter(clock: clock)
        let quotas = QuotaCounter(instance: config.instance)
        var assertions: AssertionSigner?
        if routes.routes.contains(where: { $0.upstream != nil && $0.access != .public }) {
            // A signed-in route to an app carries the caller's assertion: without the key, no start.
            guard let key = config.assertionPrivateKey else {
                throw GatewayConfigError(
                    message: "gateway.yaml routes signed-in requests to an upstream, but there is no assertion key (TOLLGATE_ASSERTION_PRIVATE_KEY or \(config.common.credentials.assertionPrivateKey))")
            }
            assertions = try AssertionSigner(privateKey: key.value, issuer: config.common.jwtIssuer)
        }
        // Made after every check that can throw: a client must be shut down once made.
        let upstreams = UpstreamClient()
        let router = GatewayRouter(
            routes: routes,
            verifier: AccessTokenVerifier(state: tokens, issuer: config.common.jwtIssuer, audience: config.common.jwtAudience),
            tokens: tokens,
            subjects: subjects,
            tiers: TierGate(state: entitlements),
            clock: clock,
            limiter: limiter,
            quotas: quotas,
            connection: connection,
            upstreamClient: upstreams.client,
            assertions: assertions,
            clientAddress: ClientAddress(trustedProxies: routesFile.trustedProxies ?? []),
            cors: cors,
            readiness: Readiness(
                connection: connection, tokens: tokens, entitlements: entitlements, quotas: quotas, subjects: subjects,
                services: [.auth, .billing, .webhook, .notifier], timeout: .seconds(1)),
            bodyLimit: routesFile.bodyLimit,
            refreshCookieGuard: RefreshCookieGuard(cors: cors, publicURL: config.common.publicURL),
            securityHeaders: SecurityHeaders(publicURL: config.common.publicURL),
            adminRefusals: AdminRefusalReporter(connection: connection, subject: subjects.authAdminRefused, logger: logger),
            apiDocument: APIDocumentSource(
                builder: APIDocumentBuilder(routes: routes, publicURL: config.common.publicURL, bodyLimit: routesFile.bodyLimit),
                connection: connection, subjects: subjects, logger: logger),
            documentPolicy: routesFile.policies["public"].map { RateLimitPolicy(name: "public", from: $0) },
            logger: logger
        ).build()
        return Application(
            router: router,
            server: .guardedHTTP1(timeouts: config.timeouts),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            services: [
                TokenStateWatcher(jetStream: jetStream, subjects: subjects, state: tokens, logger: logger),
                EntitlementWatcher(jetStream: jetStream, subjects: subjects, state: entitlements, logger: logger),
                RateLimitSharing(
                    limiter: limiter, quotas: quotas, connection: connection, subject: subjects.gatewayRateLimitHits,
                    interval: config.rateLimitShareInterval, logger: logger),
                QuotaUsageSync(
                    jetStream: jetStream, settings: SharedBuckets.usage(subjects, config.common.replication), counter: quotas,
                    interval: config.quotaSaveInterval, clock: clock, logger: logger),
                upstreams,
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: logger)
    }
}
