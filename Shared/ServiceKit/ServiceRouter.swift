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
    private let access: AccessCheck?
    private let isUnavailable: @Sendable (any Error) -> Bool
    private var handlers: [(subject: String, handler: Handler)] = []

    /// Seconds a client is asked to wait when a dependency is unavailable.
    static let retryAfterSeconds = 5

    /// `access`: how this service verifies the access tokens of signed-in routes itself (nil for a
    /// service that has none). `isUnavailable` recognises errors that mean a dependency (the
    /// database) cannot be reached now: those are answered 503 with `Retry-After`, not 500.
    public init(
        connection: NatsConnection, service: ServiceName, subjects: Subjects, logger: Logger, access: AccessCheck? = nil,
        isUnavailable: @escaping @Sendable (any Error) -> Bool = { _ in false }
    ) {
        self.isUnavailable = isUnavailable
        self.connection = connection
        self.service = service
        self.subjects = subjects
        self.logger = logger
        self.access = access
        on(subjects.ping(service)) { [service] _ in
            .json(200, ["service": service.rawValue, "status": "ok"])
        }
    }

    /// Adds a handler. Call before `run()`.
    public func on(_ subject: String, _ handler: @escaping Handler) {
        handlers.append((subject, handler))
    }

    /// Adds a handler for a signed-in route: it runs only for a request whose access token this
    /// service verified itself (signature, expiry, revocations), and receives its principal.
    public func onAuthenticated(
        _ subject: String, _ handler: @escaping @Sendable (ServiceRequest, Principal) async throws -> ServiceResponse
    ) {
        guard let access else { preconditionFailure("\(subject): a signed-in route needs the router's AccessCheck") }
        on(subject) { request in
            let principal = try await access.principal(of: request)
            return try await handler(request.proven(as: principal), principal)
        }
    }

    /// Adds a handler for an administrators' route: as `onAuthenticated`, and the token's `admin`
    /// role must not have been withdrawn since it was issued.
    public func onAdmin(
        _ subject: String, _ handler: @escaping @Sendable (ServiceRequest, Principal) async throws -> ServiceResponse
    ) {
        guard let access else { preconditionFailure("\(subject): an admin route needs the router's AccessCheck") }
        on(subject) { request in
            let principal = try await access.administrator(of: request)
            return try await handler(request.proven(as: principal), principal)
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
        } catch where isUnavailable(error) {
            logger.warning(
                "dependency unavailable",
                metadata: ["subject": "\(message.subject)", "error": "\(error)", "request_id": "\(request.requestID ?? "-")"])
            response = ServiceResponse.error(503, "Service temporarily unavailable; retry later")
                .adding(header: "Retry-After", String(Self.retryAfterSeconds))
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
