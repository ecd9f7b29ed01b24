import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TollgateContracts

/// A Stripe for development, CI and the tests: the endpoints Billing calls (and the lists, events
/// and test clocks a person or a product's CI uses), with Stripe's form encoding, response and
/// error shapes, key check, idempotency (replay, `idempotency_error`), parameter checking against
/// Stripe's own parameter lists and `expand[]`; hosted Checkout and portal pages that take Stripe's
/// test cards; events signed exactly as Stripe signs them, posted to the Webhook service and retried
/// with back-off until accepted; and time that a test clock moves. `tollgate-stripe-sandbox` runs it
/// with its state in a file; tests run it in process and may also drive what a customer or time
/// would do directly, hold events back, or inject failures.
public final class StripeSandbox: Sendable {
    /// The key the tests' sandbox takes (`tollgate-stripe-sandbox` makes one of its own).
    public static let secretKey = "sk_test_tollgate_sandbox"
    public static let apiVersion = "2026-10-28.endive"

    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 0
        public var apiKey = StripeSandbox.secretKey
        public var webhookSecrets: [String]
        /// Where state is kept across restarts; nil: in memory only.
        public var store: SandboxStore?
        /// Carry out renewals, retries and expiries as the sandbox's time passes them on its own (the
        /// tests leave this off and move time themselves; advancing a test clock always does it).
        public var runsDueWork = false
        /// Remember every request (tests read them); a long-running sandbox does not.
        public var recordsRequests = true
        /// The address the hosted pages are reached at (`url` by default).
        public var publicURL: String?

        public init(webhookSecrets: [String]) {
            self.webhookSecrets = webhookSecrets
        }
    }

    let state: Mutex<SandboxState>
    /// Stripe's time: a test moves it forward, as a Stripe test clock does.
    public var clock: TimeSource { state.withLock { $0.clock } }
    private let server: LocalHTTPServer
    let options: Options
    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    var publicURL: String { options.publicURL ?? url }
    /// The endpoint secrets events are signed with (several during a rotation).
    let secrets: Mutex<[String]>
    /// Whether the state changed since the state file was last written.
    private let changed = Atomic<Bool>(false)
    private let retries = Mutex<Task<Void, Never>?>(nil)

    public struct SeenRequest: Sendable {
        public let method: String
        public let path: String
        public let form: [String: String]
        public let idempotencyKey: String?
        public let stripeVersion: String?
    }

    struct Answer: Sendable, Codable {
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

    private init(server: LocalHTTPServer, state: SandboxState, options: Options) {
        self.server = server
        self.state = Mutex(state)
        self.options = options
        self.secrets = Mutex(options.webhookSecrets)
    }

    /// The tests' sandbox: in memory, on a free loopback port unless `port` is given.
    public static func start(webhookSecrets: [String], port: Int = 0) async throws -> StripeSandbox {
        var options = Options(webhookSecrets: webhookSecrets)
        options.port = port
        return try await start(options)
    }

    public static func start(_ options: Options) async throws -> StripeSandbox {
        let state = try options.store?.load() ?? SandboxState()
        let server = await LocalHTTPServer.start(label: "stripe-sandbox", host: options.host, port: options.port)
        let sandbox = StripeSandbox(server: server, state: state, options: options)
        server.answer { request in try await sandbox.respond(request) }
        sandbox.retries.withLock { $0 = Task { await sandbox.retryDeliveries() } }
        return sandbox
    }

    public func stop() async {
        let task = retries.withLock { $0 }
        task?.cancel()
        await task?.value
        await server.stop()
        flushIfChanged()
    }

    // MARK: HTTP

    private func respond(_ request: Request) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/v1/") { return try await respondToAPI(request) }
        if path.hasPrefix("/checkout/") || path.hasPrefix("/portal/") { return try await respondWithPage(request) }
        return Self.response(Self.error(404, "invalid_request_error", nil, "Unrecognized request URL (\(request.method.rawValue): \(path))."))
    }

    private func respondToAPI(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let path = request.uri.path
        let form = SandboxForm(request.method == .post ? body : (request.uri.query ?? ""))
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        let authorized = isAuthorized(request.headers[.authorization])
        let (answer, events) = state.withLock { state -> (Answer, [Event]) in
            if options.recordsRequests {
                state.requests.append(
                    SeenRequest(
                        method: request.method.rawValue, path: path,
                        form: Dictionary(form.pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }),
                        idempotencyKey: idempotencyKey, stripeVersion: request.headers[HTTPField.Name("Stripe-Version")!]))
            }
            guard authorized else {
                return (Self.error(401, "invalid_request_error", nil, "Invalid API Key provided: sk_test_****"), [])
            }
            if let index = state.injectedFailures.firstIndex(where: { $0.path == nil || $0.path == path }) {
                let failure = state.injectedFailures.remove(at: index)
                var answer = Self.error(failure.status, failure.status == 429 ? "invalid_request_error" : "api_error", failure.code, "Injected failure")
                if let retry = failure.shouldRetry { answer.headers["Stripe-Should-Retry"] = retry ? "true" : "false" }
                return (answer, [])
            }
            guard let (pattern, id) = SandboxEndpoints.match(method: request.method.rawValue, path: path) else {
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
            var answer = SandboxAPIHandlers.handle(
                pattern: pattern, id: id, form: form, base: publicURL, idempotencyKey: idempotencyKey, state: &state, events: &events)
            if answer.status == 200 {
                let paths = form.pairs.filter { $0.key.hasPrefix("expand[") }.map(\.value)
                switch SandboxExpansion.expand(answer.body, paths: paths, in: state) {
                case .success(let expanded): answer.body = expanded
                case .failure(let refused):
                    answer = Self.error(400, "invalid_request_error", nil, "This property cannot be expanded (\(refused.path)).", param: "expand")
                }
            }
            if request.method == .post, let key = idempotencyKey, answer.status != 400 || !Self.isValidationError(answer) {
                state.idempotent[key] = .init(endpoint: path, body: body, answer: answer)
            }
            return (answer, record(events, in: &state))
        }
        markChanged()
        deliverInBackground(events)
        var response = Self.response(answer)
        response.headers[HTTPField.Name("Request-Id")!] = SandboxState.newID("req_")
        return response
    }

    /// Accepts the key as Stripe does: `Authorization: Bearer sk_…`, or HTTP Basic with the key as
    /// the user name (`curl -u sk_…:`).
    private func isAuthorized(_ header: String?) -> Bool {
        guard let header else { return false }
        if header == "Bearer \(options.apiKey)" { return true }
        guard header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst("Basic ".count))) else { return false }
        return String(decoding: decoded, as: UTF8.self) == options.apiKey + ":"
    }

    static func response(_ answer: Answer) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Validation failures are not stored against the key (Stripe lets a corrected request reuse it).
    private static func isValidationError(_ answer: Answer) -> Bool {
        (try? JSONDecoder().decode(SandboxErrorBody.self, from: answer.body))?.error.code?.hasPrefix("parameter_") ?? false
    }

    static func error(_ status: Int, _ type: String, _ code: String?, _ message: String, param: String? = nil) -> Answer {
        let body = SandboxErrorBody(error: .init(type: type, code: code, message: message, param: param))
        return Answer(status: status, body: (try? JSONEncoder().encode(body)) ?? Data())
    }

    // MARK: Changes

    /// Applies a change under the lock, records its events, saves, and makes the first delivery
    /// attempt of each before returning.
    func change<Value: Sendable, Failure: Error>(
        _ body: (inout SandboxState) throws(Failure) -> (Value, [Event])
    ) async throws(Failure) -> Value {
        let (value, events) = try state.withLock { state throws(Failure) -> (Value, [Event]) in
            let (value, events) = try body(&state)
            return (value, record(events, in: &state))
        }
        markChanged()
        for event in events { await attemptDelivery(event) }
        return value
    }

    /// Keeps the events and returns those to deliver now (none while deliveries are held).
    private func record(_ events: [Event], in state: inout SandboxState) -> [Event] {
        state.events += events
        guard !state.holdDeliveries, state.webhookTarget != nil else { return [] }
        // The first attempt is the caller's; the retry loop takes over if it has not ended by then.
        let later = Date().timeIntervalSince1970 + Self.longestPause
        for event in events { state.pendingDeliveries[event.id] = .init(attempts: 0, nextAttemptAt: later) }
        return events
    }

    /// Notes a change; the state file is written within 200 ms (`flushIfChanged`), not on every
    /// change, so a busy sandbox does not rewrite its whole state per request.
    func markChanged() {
        guard options.store != nil else { return }
        changed.store(true, ordering: .relaxed)
    }

    /// Writes the state file if something changed. A failed write is reported, not fatal: the
    /// sandbox goes on serving, and the next write has everything again.
    func flushIfChanged() {
        guard let store = options.store, changed.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let snapshot = state.withLock { state in
            state.forgetOld()
            return state
        }
        do {
            try store.save(snapshot)
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("stripe-sandbox: cannot save \(store.folder): \(error)\n".utf8))
        }
    }

    // MARK: What tests set and read

    /// Where events go: the Webhook service's port and path on loopback.
    public func deliverEvents(toPort port: Int, path: String = "/billing/stripe/webhook") {
        deliverEvents(to: .init(host: "127.0.0.1", port: port, path: path))
    }

    func deliverEvents(to target: SandboxState.WebhookTarget) {
        state.withLock { $0.webhookTarget = target }
    }

    /// While held, events are only recorded; tests deliver them with `deliver`.
    public func holdDeliveries(_ hold: Bool) {
        state.withLock { $0.holdDeliveries = hold }
    }

    public func setSecrets(_ secrets: [String]) {
        self.secrets.withLock { $0 = secrets }
    }

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
        let newID = SandboxState.newID("evt_")
        let body = String(decoding: event.body, as: UTF8.self).replacingOccurrences(of: "\"\(event.id)\"", with: "\"\(newID)\"")
        return Event(id: newID, type: event.type, created: event.created, body: Data(body.utf8))
    }

    public func productIDs() -> [String] {
        state.withLock { Array($0.products.keys) }
    }

    /// The ids of the prices a product has, archived ones too.
    public func priceIDs(product: String) -> [String] {
        state.withLock { state in state.prices.values.filter { $0.product == product }.map(\.id) }
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

    /// Invoices of a subscription, oldest first: status and amount paid.
    public func invoices(subscription: String) -> [(status: String, amountPaid: Int, reason: String)] {
        state.withLock { state in
            state.invoices.values.filter { $0.parent.subscription_details.subscription == subscription }
                .sorted { $0.created < $1.created }.map { ($0.status, $0.amount_paid, $0.billing_reason) }
        }
    }

    /// Ids of the events the Webhook service has not accepted yet.
    public func pendingDeliveries() -> Set<String> {
        state.withLock { Set($0.pendingDeliveries.keys) }
    }

    /// The next requests get these answers instead of being carried out.
    public func injectFailures(_ failures: [InjectedFailure]) {
        state.withLock { $0.injectedFailures += failures }
    }

    /// Fixes the length of every billing period from now on (tests shorten it).
    public func setPeriod(seconds: Int64) {
        state.withLock { $0.periodSeconds = seconds }
    }
}
