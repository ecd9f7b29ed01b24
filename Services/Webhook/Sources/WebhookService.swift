import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateHTTPServer
import TollgateMessaging
import TollgateServiceKit

/// The Webhook executable: Stripe's endpoint on its own port (never rate-limited), plus its
/// readiness ping over NATS. Verified events go to the `STRIPE` stream for Billing.
public enum WebhookService {
    public static let path = "/billing/stripe/webhook"

    public static func makeApplication(
        config: WebhookConfig, connection: NatsConnection, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let subjects = Subjects(prefix: config.common.prefix)
        // STRIPE is Billing's: until Billing has made it, a publish finds no stream and the event
        // is answered 503, which Stripe retries.
        let jetStream = try connection.jetStream()
        let intake = StripeEventIntake(
            signature: config.stripeSecrets.isEmpty
                ? nil : StripeSignature(secrets: config.stripeSecrets, tolerance: TimeInterval(config.tolerance)),
            jetStream: jetStream, subjects: subjects, storeWait: config.storeWait, logger: logger)
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware(headers: SecurityHeaders(publicURL: config.common.publicURL)))
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.post(RouterPath(path)) { request, _ in try await intake.handle(request) }
        let pings = ServiceRouter(connection: connection, service: .webhook, subjects: subjects, logger: logger)
        return Application(
            router: router,
            server: .guardedHTTP1(timeouts: config.timeouts),
            configuration: .init(address: .hostname(config.host, port: config.port)),
            services: [pings],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: logger)
    }
}
