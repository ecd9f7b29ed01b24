import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// The Webhook executable: Stripe's endpoint on its own port, plus its readiness ping over NATS.
/// Signature checks and publishing to the `STRIPE` stream arrive with the billing work; until then
/// the endpoint refuses events with a non-2xx status, so Stripe keeps them and retries later.
public enum WebhookService {
    public static let path = "/billing/stripe/webhook"

    public static func makeApplication(
        config: WebhookConfig, connection: NatsConnection, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.post(RouterPath(path)) { _, _ in
            Response(
                status: .serviceUnavailable, headers: [.contentType: "application/json", .retryAfter: "60"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"Stripe events are not processed yet"}"#)))
        }
        let subjects = Subjects(prefix: config.common.prefix)
        let pings = ServiceRouter(connection: connection, service: .webhook, subjects: subjects, logger: logger)
        return Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port)),
            services: [pings],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: logger)
    }
}
