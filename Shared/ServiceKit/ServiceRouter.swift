import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging

/// Serves HTTP-over-NATS subjects for one service: `on(subject) { request in … return .json(200, x) }`.
/// Every subject is subscribed in a queue group named after the service, so copies share the work;
/// the service also answers its readiness ping.
public final class ServiceRouter: Service, @unchecked Sendable {
    public typealias Handler = @Sendable (ServiceRequest) async throws -> ServiceResponse

    private let connection: NatsConnection
    private let service: ServiceName
    private let subjects: Subjects
    private let logger: Logger
    private var handlers: [(subject: String, handler: Handler)] = []

    public init(connection: NatsConnection, service: ServiceName, subjects: Subjects, logger: Logger) {
        self.connection = connection
        self.service = service
        self.subjects = subjects
        self.logger = logger
        on(subjects.ping(service)) { [service] _ in
            .json(200, ["service": service.rawValue, "status": "ok"])
        }
    }

    /// Adds a handler. Call before `run()`.
    public func on(_ subject: String, _ handler: @escaping Handler) {
        handlers.append((subject, handler))
    }

    /// Adds a handler for a route the gateway guards: it receives the verified principal.
    public func onAuthenticated(
        _ subject: String, _ handler: @escaping @Sendable (ServiceRequest, Principal) async throws -> ServiceResponse
    ) {
        on(subject) { request in
            guard let principal = request.principal else { throw HTTPFailure.unauthorized }
            return try await handler(request, principal)
        }
    }

    public func run() async throws {
        let subscriptions = try handlers.map { entry in
            (try connection.subscribe(entry.subject, queueGroup: service.rawValue), entry.handler)
        }
        logger.info("serving subjects", metadata: ["count": "\(subscriptions.count)"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for (subscription, handler) in subscriptions {
                    group.addTask { [self] in
                        await withDiscardingTaskGroup { requests in
                            for await message in subscription {
                                requests.addTask { await self.handle(message, with: handler) }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            for (subscription, _) in subscriptions { subscription.drain() }
        }
    }

    /// Runs one handler and replies; never throws, so one bad request cannot stop the service.
    func handle(_ message: NatsMessage, with handler: Handler) async {
        guard let replyTo = message.replyTo else { return }
        let request = ServiceRequest(message: message)
        let response: ServiceResponse
        do {
            response = try await handler(request)
        } catch let failure as HTTPFailure {
            var reply = ServiceResponse.error(failure.status, failure.detail)
            reply.headers += failure.headers
            response = reply
        } catch let failure as ValidationFailure {
            response = .validation(failure.errors)
        } catch {
            logger.error(
                "handler failed",
                metadata: ["subject": "\(message.subject)", "error": "\(error)", "request_id": "\(request.requestID ?? "-")"])
            response = .error(500, "Internal server error")
        }
        do {
            try connection.publish(replyTo, payload: response.body, headers: response.natsHeaders)
        } catch {
            logger.error("reply failed", metadata: ["subject": "\(message.subject)", "error": "\(error)"])
        }
    }
}
