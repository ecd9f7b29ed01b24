import Foundation
import TollgateContracts
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A Stripe-compatible server for tests: the endpoints Billing calls, with Stripe's form encoding,
/// response and error shapes, key check, idempotency (replay, `idempotency_error`), parameter
/// checking against Stripe's own parameter lists, state, and events delivered to the Webhook service
/// signed exactly as Stripe signs them. Tests drive what a customer or time would do at Stripe
/// (`completeCheckout`, `renew`, `failRenewal`, `endPeriod`) and may hold events back to deliver
/// them twice, together, or in reverse order.
public final class StripeStandIn: Sendable {
    public static let secretKey = "sk_test_tollgate_stand_in"
    public static let apiVersion = "2026-10-28.endive"

    let state = Mutex(StripeStandInState())
    /// Stripe's time: a test moves it forward, as a Stripe test clock does.
    public var clock: TimeSource { state.withLock { $0.clock } }
    private let server: LocalHTTPServer
    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The endpoint secrets events are signed with (several during a rotation).
    let secrets: Mutex<[String]>

    public struct SeenRequest: Sendable {
        public let method: String
        public let path: String
        public let form: [String: String]
        public let idempotencyKey: String?
        public let stripeVersion: String?
    }

    struct Answer: Sendable {
        var status: Int
        var body: Data
        var headers: [String: String] = [:]
    }

    /// An answer given instead of the real one (the request is not carried out).
    public struct InjectedFailure: Sendable {
        public let status: Int
        public let code: String?
        public let shouldRetry: Bool?
        /// Only a request to this path fails (nil: the next request, whatever its path).
        public let path: String?

        public init(status: Int, code: String? = nil, shouldRetry: Bool? = nil, path: String? = nil) {
            self.status = status
            self.code = code
            self.shouldRetry = shouldRetry
            self.path = path
        }
    }

    private init(server: LocalHTTPServer, secrets: [String]) {
        self.server = server
        self.secrets = Mutex(secrets)
    }

    public static func start(webhookSecrets: [String], port: Int = 0) async throws -> StripeStandIn {
        let standIn = StripeStandIn(server: await LocalHTTPServer.start(label: "stripe-stand-in", port: port), secrets: webhookSecrets)
        standIn.server.answer { request in
            guard request.uri.path.hasPrefix("/v1/") else { return Response(status: .notFound) }
            return try await standIn.respond(request)
        }
        return standIn
    }

    public func stop() async {
        await server.stop()
    }

    // MARK: HTTP

    private func respond(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let path = request.uri.path
        let form = StandInForm(request.method == .post ? body : (request.uri.query ?? ""))
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        let (answer, events) = state.withLock { state -> (Answer, [Event]) in
            state.requests.append(
                SeenRequest(
                    method: request.method.rawValue, path: path,
                    form: Dictionary(form.pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }),
                    idempotencyKey: idempotencyKey, stripeVersion: request.headers[HTTPField.Name("Stripe-Version")!]))
            guard request.headers[.authorization] == "Bearer \(Self.secretKey)" else {
                return (Self.error(401, "invalid_request_error", nil, "Invalid API Key provided: sk_test_****"), [])
            }
            if let index = state.injectedFailures.firstIndex(where: { $0.path == nil || $0.path == path }) {
                let failure = state.injectedFailures.remove(at: index)
                var answer = Self.error(failure.status, failure.status == 429 ? "invalid_request_error" : "api_error", failure.code, "Injected failure")
                if let retry = failure.shouldRetry { answer.headers["Stripe-Should-Retry"] = retry ? "true" : "false" }
                return (answer, [])
            }
            let endpoint = Self.endpoint(method: request.method.rawValue, path: path)
            guard let (pattern, id) = endpoint else {
                return (Self.error(404, "invalid_request_error", "resource_missing", "Unrecognized request URL (\(request.method.rawValue): \(path))."), [])
            }
            if let unknown = StripeParameterSchema.shared.unknownKey(in: form, endpoint: pattern) {
                return (Self.error(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: \(unknown)", param: unknown), [])
            }
            if request.method == .post, let key = idempotencyKey, let stored = state.idempotent[key] {
                guard stored.endpoint == path else {
                    return (Self.error(400, "idempotency_error", nil, "Keys for idempotent requests can only be used for the same endpoint they were first used for ('\(stored.endpoint)' vs '\(path)')."), [])
                }
                guard stored.body == body else {
                    return (Self.error(400, "idempotency_error", nil, "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '\(key)' if you meant to execute a different request."), [])
                }
                var replay = stored.answer
                replay.headers["Idempotent-Replayed"] = "true"
                return (replay, [])
            }
            var events: [Event] = []
            let answer = StripeStandInHandlers.handle(
                pattern: pattern, id: id, form: form, base: url, idempotencyKey: idempotencyKey, state: &state, events: &events)
            if request.method == .post, let key = idempotencyKey, answer.status != 400 || !Self.isValidationError(answer) {
                state.idempotent[key] = .init(endpoint: path, body: body, answer: answer)
            }
            state.events += events
            return (answer, state.holdDeliveries ? [] : events)
        }
        deliverInBackground(events)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("Request-Id")!] = StripeStandInState.newID("req_")
        for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Validation failures are not stored against the key (Stripe lets a corrected request reuse it).
    private static func isValidationError(_ answer: Answer) -> Bool {
        (try? JSONDecoder().decode(StandInErrorBody.self, from: answer.body))?.error.code?.hasPrefix("parameter_") ?? false
    }

    /// The endpoint pattern as the parameter lists name it, and the id in the path.
    static func endpoint(method: String, path: String) -> (String, String?)? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.first == "v1" else { return nil }
        let rest = Array(parts.dropFirst())
        let patterns: [(String, [String])] = [
            ("POST /v1/customers", ["customers"]), ("GET /v1/customers/{customer}", ["customers", "*"]),
            ("POST /v1/products", ["products"]), ("POST /v1/products/{id}", ["products", "*"]),
            ("POST /v1/prices", ["prices"]), ("POST /v1/prices/{price}", ["prices", "*"]),
            ("POST /v1/checkout/sessions", ["checkout", "sessions"]),
            ("GET /v1/checkout/sessions/{session}", ["checkout", "sessions", "*"]),
            ("GET /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
            ("POST /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
            ("DELETE /v1/subscriptions/{subscription_exposed_id}", ["subscriptions", "*"]),
            ("POST /v1/billing_portal/sessions", ["billing_portal", "sessions"]),
            ("GET /v1/invoices/{invoice}", ["invoices", "*"]),
            ("POST /v1/refunds", ["refunds"]),
        ]
        for (pattern, shape) in patterns where pattern.hasPrefix(method + " ") && shape.count == rest.count {
            var id: String?
            var matches = true
            for (expected, actual) in zip(shape, rest) {
                if expected == "*" { id = actual } else if expected != actual { matches = false }
            }
            if matches { return (pattern, id) }
        }
        return nil
    }

    static func error(_ status: Int, _ type: String, _ code: String?, _ message: String, param: String? = nil) -> Answer {
        let body = StandInErrorBody(error: .init(type: type, code: code, message: message, param: param))
        return Answer(status: status, body: (try? JSONEncoder().encode(body)) ?? Data())
    }

    // MARK: Webhook delivery

    /// Where events go: the Webhook service's port and path.
    public func deliverEvents(toPort port: Int, path: String = "/billing/stripe/webhook") {
        state.withLock { $0.webhookURL = (port, path) }
    }

    /// While held, events are only recorded; tests deliver them with `deliver`.
    public func holdDeliveries(_ hold: Bool) {
        state.withLock { $0.holdDeliveries = hold }
    }

    public func setSecrets(_ secrets: [String]) {
        self.secrets.withLock { $0 = secrets }
    }

    private func deliverInBackground(_ events: [Event]) {
        guard !events.isEmpty else { return }
        Task { for event in events { _ = await deliver(event) } }
    }

    /// Posts one event, signed; retries a refused delivery a few times, as Stripe does (sooner).
    /// Returns the last HTTP status.
    @discardableResult
    public func deliver(_ event: Event, timestamp: Int64? = nil, attempts: Int = 4) async -> Int {
        guard let target = state.withLock({ $0.webhookURL }) else { return 0 }
        var status = 0
        for attempt in 0..<attempts {
            let header = Self.signature(
                for: event.body, secrets: secrets.withLock { $0 }, timestamp: timestamp ?? Int64(Date().timeIntervalSince1970))
            status = await WebhookDelivery.post(port: target.port, path: target.path, signature: header, body: event.body) ?? 0
            if (200..<300).contains(status) { return status }
            try? await Task.sleep(for: .milliseconds(100 * (1 << attempt)))
        }
        return status
    }

    // MARK: What tests read

    public func events(type: String? = nil) -> [Event] {
        state.withLock { state in state.events.filter { type == nil || $0.type == type } }
    }

    public func requests(path: String? = nil) -> [SeenRequest] {
        state.withLock { state in state.requests.filter { path == nil || $0.path == path } }
    }

    public func subscriptionStatus(_ id: String) -> String? {
        state.withLock { $0.subscriptions[id]?.status }
    }

    public func subscriptionIDs() -> [String] {
        state.withLock { Array($0.subscriptions.keys) }
    }

    public func product(_ id: String) -> (active: Bool, name: String, defaultPrice: String?)? {
        state.withLock { state in state.products[id].map { ($0.active, $0.name, $0.default_price) } }
    }

    public func subscriptionPeriodEnd(_ id: String) -> Int64? {
        state.withLock { $0.subscriptions[id]?.items.data.first?.current_period_end }
    }

    /// The same event under a new id: Stripe occasionally creates two events for one change.
    public func copyWithNewID(_ event: Event) -> Event {
        let newID = StripeStandInState.newID("evt_")
        let body = String(decoding: event.body, as: UTF8.self).replacingOccurrences(of: "\"\(event.id)\"", with: "\"\(newID)\"")
        return Event(id: newID, type: event.type, body: Data(body.utf8))
    }

    public func productIDs() -> [String] {
        state.withLock { Array($0.products.keys) }
    }

    public func price(_ id: String) -> (active: Bool, amount: Int, currency: String, interval: String?)? {
        state.withLock { state in state.prices[id].map { ($0.active, $0.unit_amount, $0.currency, $0.recurring?.interval) } }
    }

    /// Refunds made: amount and the PaymentIntent refunded.
    public func refunds() -> [(amount: Int, paymentIntent: String?, reason: String?)] {
        state.withLock { state in state.refunds.values.map { ($0.amount, $0.payment_intent, $0.reason) } }
    }

    /// Checkout sessions made so far.
    public func checkoutSessionIDs() -> [String] {
        state.withLock { Array($0.sessions.keys) }
    }

    public func customers() -> [(id: String, email: String?, userID: String?)] {
        state.withLock { state in state.customers.values.map { ($0.id, $0.email, $0.metadata["user_id"]) } }
    }

    /// The next requests get these answers instead of being carried out.
    public func injectFailures(_ failures: [InjectedFailure]) {
        state.withLock { $0.injectedFailures += failures }
    }

    public func setPeriod(seconds: Int64) {
        state.withLock { $0.periodSeconds = seconds }
    }
}
