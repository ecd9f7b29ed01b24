import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging

/// Serves one service's endpoints over NATS: `serve(AuthEndpoints.login, AuthAPI.login) { request in … }`, each
/// checked at the access level its declaration states, whatever the gateway did before. Every
/// subject is subscribed in a queue group named after the service, so copies share the work; at
/// most `maxInFlight` requests are worked on at once (more are answered 503 at once); a request
/// whose gateway stopped waiting is dropped, not worked on. The service also answers its readiness ping.
public final class ServiceRouter: Service, @unchecked Sendable {
    public typealias Handler = @Sendable (ServiceRequest) async throws -> ServiceResponse
    public typealias SignedInHandler = @Sendable (ServiceRequest, Principal) async throws -> ServiceResponse

    private let connection: NatsConnection
    private let service: ServiceName
    private let subjects: Subjects
    private let logger: Logger
    private let access: AccessCheck?
    private let isUnavailable: @Sendable (any Error) -> Bool
    private let inFlight: InFlightLimit
    private let clock: TimeSource
    private var handlers: [(subject: String, handler: Handler)] = []
    /// The endpoints served, for the API document.
    private var descriptions: [EndpointDescription] = []

    /// Seconds a client is asked to wait when a dependency is unavailable.
    static let retryAfterSeconds = 5
    /// Seconds a client is asked to wait when the service is full.
    static let busyRetryAfterSeconds = 1

    /// `access`: how this service verifies the access tokens of signed-in routes itself (nil for a
    /// service that has none). `isUnavailable` recognises errors that mean a dependency (the
    /// database) cannot be reached now: those are answered 503 with `Retry-After`, not 500.
    public init(
        connection: NatsConnection, service: ServiceName, subjects: Subjects, logger: Logger, access: AccessCheck? = nil,
        maxInFlight: Int = 512, clock: TimeSource = .system,
        isUnavailable: @escaping @Sendable (any Error) -> Bool = { _ in false }
    ) {
        self.clock = clock
        self.isUnavailable = isUnavailable
        self.connection = connection
        self.service = service
        self.subjects = subjects
        self.logger = logger
        self.access = access
        self.inFlight = InFlightLimit(limit: maxInFlight)
        on(subjects.ping(service)) { [service] _ in
            .json(200, ["service": service.rawValue, "status": "ok"])
        }
    }

    /// Serves a public endpoint, answering as `shape` says (the API document shows it). Call before `run()`.
    public func serve(_ endpoint: Endpoint, _ shape: EndpointShape, _ handler: @escaping Handler) {
        precondition(endpoint.access == .public, "\(endpoint.path) is declared \(endpoint.access): its handler takes the caller")
        describe(endpoint, shape)
        on(subjects.subject(of: endpoint), handler)
    }

    /// Serves a signed-in endpoint: the handler runs only for a request whose access token this
    /// service verified itself (signature, expiry, revocations) and, for an `admin` endpoint, whose
    /// `admin` role has not been withdrawn since the token was issued.
    public func serve(_ endpoint: Endpoint, _ shape: EndpointShape, _ handler: @escaping SignedInHandler) {
        guard let access else { preconditionFailure("\(endpoint.path): a signed-in endpoint needs the router's AccessCheck") }
        describe(endpoint, shape)
        switch endpoint.access {
        case .public:
            preconditionFailure("\(endpoint.path) is declared public: its handler cannot take a caller")
        case .user:
            on(subjects.subject(of: endpoint)) { request in
                let principal = try await access.principal(of: request)
                return try await handler(request.proven(as: principal), principal)
            }
        case .admin:
            on(subjects.subject(of: endpoint)) { request in
                let principal = try await access.administrator(of: request)
                return try await handler(request.proven(as: principal), principal)
            }
        }
    }

    private func describe(_ endpoint: Endpoint, _ shape: EndpointShape) {
        if descriptions.isEmpty {
            // Only a service with endpoints answers for them (and may: see `BusPermissions`).
            on(subjects.apiShapes(service)) { [unowned self] _ in .json(200, descriptions) }
        }
        precondition(!descriptions.contains { $0.method == endpoint.method && $0.path == endpoint.path }, "\(endpoint.path) served twice")
        descriptions.append(EndpointDescription(method: endpoint.method, path: endpoint.path, shape: shape))
    }

    /// Adds a handler for an internal subject (services asking each other). Call before `run()`.
    public func on(_ subject: String, _ handler: @escaping Handler) {
        handlers.append((subject, handler))
    }

    /// Adds a handler for an internal subject whose requests carry a user's access token.
    public func onAuthenticated(_ subject: String, _ handler: @escaping SignedInHandler) {
        guard let access else { preconditionFailure("\(subject): a signed-in route needs the router's AccessCheck") }
        on(subject) { request in
            let principal = try await access.principal(of: request)
            return try await handler(request.proven(as: principal), principal)
        }
    }

    public func run() async throws {
        // An instance that cannot yet verify tokens takes no requests (its ping included, so
        // readiness says so): the other instances answer them meanwhile.
        if let access, !access.isLoaded {
            logger.info("waiting for the signing keys and revocations before serving")
            var waited = 0
            while !access.isLoaded {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                waited += 1
                if waited % 1000 == 0 { logger.warning("still waiting for the signing keys and revocations; not serving yet") }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
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
                                guard inFlight.enter() else {
                                    reply(to: message, with: Self.busy)
                                    continue
                                }
                                requests.addTask {
                                    await self.handle(message, with: handler)
                                    self.inFlight.leave()
                                }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: { [connection] in
            // With the server gone there is nothing to drain through: stop at once instead of
            // waiting out the drain's timeout (the requests already taken still finish).
            let connected = connection.isConnected
            for (subscription, _) in subscriptions { connected ? subscription.drain() : subscription.unsubscribe() }
        }
    }

    static let busy = ServiceResponse.error(503, "Service is busy; retry later")
        .adding(header: "Retry-After", String(busyRetryAfterSeconds))

    /// Runs one handler and replies; never throws, so one bad request cannot stop the service.
    func handle(_ message: NatsMessage, with handler: Handler) async {
        guard message.replyTo != nil else { return }
        let envelope = RequestEnvelope(natsHeaders: message.headers)
        let request = ServiceRequest(envelope: envelope, body: message.payload)
        let deadline = envelope.budget.map { RequestDeadline(clock.instant + $0, clock: clock) }
        let response: ServiceResponse
        do {
            try request.refuseNUL()
            response = try await RequestDeadline.$current.withValue(deadline) { try await handler(request) }
        } catch is DeadlinePassed {
            logger.info(
                "dropped a request its caller stopped waiting for",
                metadata: ["subject": "\(message.subject)", "request_id": "\(request.requestID ?? "-")"])
            return
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
        reply(to: message, with: response)
    }

    private func reply(to message: NatsMessage, with response: ServiceResponse) {
        guard let replyTo = message.replyTo else { return }
        do {
            try connection.publish(replyTo, payload: response.body, headers: response.natsHeaders)
        } catch {
            logger.error("reply failed", metadata: ["subject": "\(message.subject)", "error": "\(error)"])
        }
    }
}
