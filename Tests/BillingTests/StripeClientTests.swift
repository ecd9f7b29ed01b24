import BillingService
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing
import TollgateTestSupport

@Suite("Stripe client")
struct StripeClientTests {
    @Test("bracket notation as Stripe's libraries send it, values percent-encoded, order kept")
    func formEncoding() {
        let form = StripeForm.encode([
            ("mode", "subscription"), ("customer", "cus_1"),
            ("line_items", [["price": "price_1", "quantity": 1]]),
            ("success_url", "https://app.example/ok?session_id={CHECKOUT_SESSION_ID}"),
            ("allow_promotion_codes", true),
            ("metadata", ["user_id": "42", "plan": "pro"]),
            ("subscription_data", ["metadata": ["user_id": "42"], "trial_period_days": 14]),
            ("expand", ["latest_invoice", "customer"]),
            ("description", ""),
        ])
        #expect(
            form == "mode=subscription&customer=cus_1&line_items[0][price]=price_1&line_items[0][quantity]=1"
                + "&success_url=https%3A%2F%2Fapp.example%2Fok%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D"
                + "&allow_promotion_codes=true&metadata[user_id]=42&metadata[plan]=pro"
                + "&subscription_data[metadata][user_id]=42&subscription_data[trial_period_days]=14"
                + "&expand[0]=latest_invoice&expand[1]=customer&description=")
        #expect(StripeForm.encode([("email", "a+b@x.y z&w=1")]) == "email=a%2Bb%40x.y%20z%26w%3D1")
    }

    @Test("errors keep Stripe's type, code, message, param and request id; the class follows Stripe's mapping")
    func errors() {
        let missing = StripeError(status: 404, type: "invalid_request_error", code: "resource_missing", message: "No such customer: 'cus_x'", param: "id", requestID: "req_1")
        #expect(missing.kind == .invalidRequest)
        #expect(missing.description.contains("resource_missing"))
        #expect(StripeError(status: 400, type: "idempotency_error", code: nil, message: "", param: nil, requestID: nil).kind == .idempotency)
        #expect(StripeError(status: 402, type: "card_error", code: "card_declined", message: "", param: nil, requestID: nil).kind == .card)
        #expect(StripeError(status: 429, type: "invalid_request_error", code: "rate_limit", message: "", param: nil, requestID: nil).kind == .rateLimit)
        #expect(StripeError(status: 401, type: nil, code: nil, message: "", param: nil, requestID: nil).kind == .authentication)
        #expect(StripeError(status: nil, type: nil, code: nil, message: "refused", param: nil, requestID: nil).kind == .connection)
    }

    @Test("retries: connection errors, 409, 5xx; Stripe-Should-Retry decides; 429 only when locked or told; budget kept")
    func retryPolicy() {
        let policy = StripeRetryPolicy(maxRetries: 2)
        func error(_ status: Int?, _ code: String? = nil) -> StripeError {
            StripeError(status: status, type: nil, code: code, message: "", param: nil, requestID: nil)
        }
        #expect(policy.shouldRetry(error(nil), shouldRetryHeader: nil, retriesSoFar: 0))
        #expect(policy.shouldRetry(error(409), shouldRetryHeader: nil, retriesSoFar: 0))
        #expect(policy.shouldRetry(error(503), shouldRetryHeader: nil, retriesSoFar: 1))
        #expect(!policy.shouldRetry(error(503), shouldRetryHeader: nil, retriesSoFar: 2), "budget spent")
        #expect(!policy.shouldRetry(error(500), shouldRetryHeader: "false", retriesSoFar: 0))
        #expect(!policy.shouldRetry(error(429), shouldRetryHeader: nil, retriesSoFar: 0))
        #expect(policy.shouldRetry(error(429, "lock_timeout"), shouldRetryHeader: nil, retriesSoFar: 0))
        #expect(policy.shouldRetry(error(429), shouldRetryHeader: "true", retriesSoFar: 0))
        #expect(!policy.shouldRetry(error(400), shouldRetryHeader: nil, retriesSoFar: 0))
        #expect(!policy.shouldRetry(error(402), shouldRetryHeader: nil, retriesSoFar: 0))
        let delays = (0..<6).map { policy.delay(beforeRetry: $0) }
        #expect(delays.allSatisfy { $0 <= .seconds(8) && $0 >= .milliseconds(375) })
    }

    /// What the local server saw.
    struct Seen: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    struct Customer: Decodable {
        let id: String
        let email: String?
    }

    /// What the server saw and what it will answer next.
    final class Script: Sendable {
        let seen = Mutex<[Seen]>([])
        let answers: Mutex<[(Int, [String: String], String)]>
        init(_ answers: [(Int, [String: String], String)]) { self.answers = Mutex(answers) }
    }

    /// A local HTTP server answering in Stripe's shapes from a script of (status, headers, body).
    static func withServer(
        _ answers: [(Int, [String: String], String)],
        _ body: @escaping @Sendable (StripeClient, @escaping @Sendable () -> [Seen]) async throws -> Void
    ) async throws {
        let script = Script(answers)
        let router = Router()
        router.on("/v1/**", method: .post) { request, _ in try await Self.answer(request, script) }
        router.on("/v1/**", method: .get) { request, _ in try await Self.answer(request, script) }
        let app = Application(router: router)
        try await app.test(.live) { client in
            let stripe = StripeClient(
                secretKey: "sk_test_123", apiBase: "http://127.0.0.1:\(client.port ?? 0)",
                retry: StripeRetryPolicy(maxRetries: 2, initialDelay: .milliseconds(10)))
            try await body(stripe, { script.seen.withLock { $0 } })
        }
    }

    private static func answer(_ request: Request, _ script: Script) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        script.seen.withLock {
            $0.append(Seen(method: request.method.rawValue, path: request.uri.description, headers: headers, body: String(buffer: body)))
        }
        let (status, extra, json) = script.answers.withLock { $0.isEmpty ? (500, [:], "{}") : $0.removeFirst() }
        var fields: HTTPFields = [.contentType: "application/json"]
        fields[HTTPField.Name("Request-Id")!] = "req_\(script.seen.withLock { $0.count })"
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    @Test("a POST carries the key, the pinned version, the idempotency key and the form; a 500 is retried with the same key")
    func postRetried() async throws {
        try await Self.withServer([
            (500, [:], #"{"error":{"type":"api_error","message":"try later"}}"#),
            (200, [:], #"{"id":"cus_1","object":"customer","email":"ann@example.com"}"#),
        ]) { stripe, seen in
            let customer = try await stripe.post(
                "/v1/customers", [("email", "ann@example.com"), ("metadata", ["user_id": "u1"])],
                idempotencyKey: "customer-u1", as: Customer.self)
            #expect(customer.id == "cus_1")
            let requests = seen()
            #expect(requests.count == 2)
            for request in requests {
                #expect(request.method == "POST")
                #expect(request.path == "/v1/customers")
                #expect(request.headers["authorization"] == "Bearer sk_test_123")
                #expect(request.headers["stripe-version"] == StripeClient.apiVersion)
                #expect(request.headers["idempotency-key"] == "customer-u1")
                #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
                #expect(request.body == "email=ann%40example.com&metadata[user_id]=u1")
            }
        }
    }

    @Test("a 400 is not retried and surfaces Stripe's error; Stripe-Should-Retry: false stops a 5xx; a GET has no key")
    func refusals() async throws {
        try await Self.withServer([
            (400, [:], #"{"error":{"type":"invalid_request_error","code":"parameter_unknown","message":"Received unknown parameter: foo","param":"foo"}}"#),
            (503, ["Stripe-Should-Retry": "false"], #"{"error":{"type":"api_error","message":"stored"}}"#),
            (200, [:], #"{"id":"cus_9","object":"customer","email":null}"#),
        ]) { stripe, seen in
            await #expect(throws: StripeError(status: 400, type: "invalid_request_error", code: "parameter_unknown", message: "Received unknown parameter: foo", param: "foo", requestID: "req_1")) {
                _ = try await stripe.post("/v1/customers", [("foo", "bar")], idempotencyKey: "k1", as: Customer.self)
            }
            await #expect(throws: StripeError.self) {
                _ = try await stripe.post("/v1/customers", [], idempotencyKey: "k2", as: Customer.self)
            }
            let fetched = try await stripe.get("/v1/customers/cus_9", query: [("expand", ["subscriptions"])], as: Customer.self)
            #expect(fetched.id == "cus_9")
            let requests = seen()
            #expect(requests.count == 3)
            #expect(requests[2].path == "/v1/customers/cus_9?expand%5B0%5D=subscriptions", "brackets encoded in queries, as the SDKs do")
            #expect(requests[2].headers["idempotency-key"] == nil)
        }
    }

    @Test("an unreachable Stripe is a connection error after the retries")
    func unreachable() async throws {
        let stripe = StripeClient(
            secretKey: "sk", apiBase: "http://127.0.0.1:\(try FreePort.next())",
            retry: StripeRetryPolicy(maxRetries: 1, initialDelay: .milliseconds(10)), timeout: .seconds(1))
        do {
            _ = try await stripe.get("/v1/customers/cus_1", as: Customer.self)
            Issue.record("expected a failure")
        } catch let error as StripeError {
            #expect(error.kind == .connection)
        }
    }
}
