import Foundation
import GatewayService
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

@Suite("Gateway behaviour")
struct GatewayBehaviourTests {
    @Test("unknown path is 404, wrong method is 405 with Allow, both in the contract's error shape")
    func notFoundAndMethodNotAllowed() async throws {
        try await TestSystem.with { system in
            let missing = try await system.client.get("/no/such/route")
            #expect(missing.status == 404)
            #expect(missing.json["detail"] as? String == "Not Found")
            #expect(missing.header("Content-Type") == "application/json; charset=utf-8")

            let wrongMethod = try await system.client.send(.delete, "/login")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "POST")
            #expect(wrongMethod.json["detail"] as? String == "Method Not Allowed")

            let plan = try await system.client.get("/billing/plans")
            #expect(plan.status == 200)
            #expect(plan.jsonArray.map { $0["code"] as? String } == ["free", "pro"])
            let id = try #require(plan.jsonArray.last?["id"] as? String)
            let one = try await system.client.get("/billing/plans/\(id)")
            #expect(one.json["price_cents"] as? Int == 1900)
            #expect(try await system.client.get("/billing/plans/\(UUID())").status == 404)
        }
    }

    @Test("a body over the limit is 413 and never reaches the service")
    func bodyTooLarge() async throws {
        try await TestSystem.with { system in
            let big = Data(repeating: UInt8(ascii: "a"), count: 1_048_577)
            let response = try await system.client.send(.post, "/register", body: big)
            #expect(response.status == 413)
            #expect((response.json["detail"] as? String)?.contains("larger than") == true)
        }
    }

    @Test("the request after a policy's limit is 429 with Retry-After and RateLimit headers")
    func rateLimited() async throws {
        var options = TestSystem.Options()
        options.extraPolicies["tiny"] = RoutesFile.Policy(limit: 3, windowSeconds: 60, key: .ip)
        options.extraRoutes = [
            RoutesFile.Route(method: "GET", path: "/limited/plans", subject: "billing.plans.list", auth: .public, rateLimit: "tiny")
        ]
        try await TestSystem.with(options) { system in
            for expectedRemaining in [2, 1, 0] {
                let allowed = try await system.client.get("/limited/plans")
                #expect(allowed.status == 200)
                #expect(allowed.header("RateLimit-Limit") == "3")
                #expect(allowed.header("RateLimit-Remaining") == String(expectedRemaining))
            }
            let refused = try await system.client.get("/limited/plans")
            #expect(refused.status == 429)
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(refused.header("RateLimit-Remaining") == "0")
            #expect(refused.json["detail"] != nil)
            // Other routes have their own counters.
            #expect(try await system.client.get("/billing/plans").status == 200)
        }
    }

    @Test("an operator's override gives a declared route a plan tier and a stricter policy, and leaves the others as declared")
    func overrides() async throws {
        var options = TestSystem.Options()
        options.extraPolicies["tiny"] = RoutesFile.Policy(limit: 2, windowSeconds: 60, key: .principal)
        options.overrides["GET /me/identities"] = RoutesFile.Override(tier: 1)
        options.overrides["GET /sessions"] = RoutesFile.Override(rateLimit: "tiny")
        try await TestSystem.with(options) { system in
            let user = try await SessionTests.signIn(system, "olive")
            let gated = try await system.client.get("/me/identities", token: user.token)
            #expect(gated.status == 402)
            #expect(gated.json["detail"] as? String == "This feature needs an active subscription")
            #expect(try await system.client.get("/me", token: user.token).status == 200)
            for _ in 0..<2 { #expect(try await system.client.get("/sessions", token: user.token).status == 200) }
            let limited = try await system.client.get("/sessions", token: user.token)
            #expect(limited.status == 429)
            #expect(limited.header("RateLimit-Policy") == "2;w=60")
        }
    }

    @Test("path parameters with line breaks and control characters reach the service intact, never a 503")
    func oddPathParameters() async throws {
        try await TestSystem.with { system in
            for raw in ["%C2%85", "%0A", "%0D%0Ax", "%E2%80%A8", "%F4%8F%BF%BF", "a%20b"] {
                let response = try await system.client.get("/billing/plans/\(raw)")
                #expect(response.status == 404, "\(raw): \(response.status)")
                #expect(response.json["detail"] as? String == "No plan found for this id", "\(raw)")
            }
        }
    }

    @Test("a route whose service is stopped answers 503")
    func serviceStopped() async throws {
        try await TestSystem.with { system in
            #expect(try await system.client.get("/billing/plans").status == 200)
            await system.stopService(.billing)
            let response = try await system.client.get("/billing/plans")
            #expect(response.status == 503)
            #expect(response.json["detail"] as? String == "Service unavailable")
            let ready = try await system.client.get("/readyz")
            #expect(ready.status == 503)
            #expect((ready.json["services"] as? [String: String])?["billing"] == "not running")
            #expect((ready.json["services"] as? [String: String])?["auth"] == "ok")
        }
    }

    @Test("a service that does not answer in time is 504")
    func serviceTooSlow() async throws {
        var options = TestSystem.Options()
        options.extraRoutes = [
            RoutesFile.Route(method: "GET", path: "/slow", subject: "test.slow", auth: .public, timeoutSeconds: 0.3)
        ]
        try await TestSystem.with(options) { system in
            // Something listens (so not 503) but never replies.
            let connection = try await system.connectHarness()
            let silent = try connection.subscribe(system.subjects.route("test.slow"))
            try await connection.flush()
            let started = ContinuousClock.now
            let response = try await system.client.get("/slow")
            #expect(response.status == 504)
            #expect(response.json["detail"] as? String == "The service did not answer in time")
            #expect(ContinuousClock.now - started < .seconds(5))
            silent.unsubscribe()
            await connection.drain()
        }
    }

    @Test("health, readiness, request ids and CORS")
    func healthAndHeaders() async throws {
        try await TestSystem.with { system in
            let health = try await system.client.get("/healthz")
            #expect(health.status == 200)
            let ready = try await system.client.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["nats"] as? String == "connected")
            #expect((ready.json["services"] as? [String: String])?.count == 4)

            let generated = try await system.client.get("/billing/plans")
            #expect(UUID(uuidString: generated.header("X-Request-ID") ?? "") != nil)
            let echoed = try await system.client.get("/billing/plans", headers: ["X-Request-ID": "trace-123"])
            #expect(echoed.header("X-Request-ID") == "trace-123")
            let replaced = try await system.client.get("/billing/plans", headers: ["X-Request-ID": "bad id with spaces"])
            #expect(replaced.header("X-Request-ID") != "bad id with spaces")

            let preflight = try await system.client.send(
                .options, "/login",
                headers: ["Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "http://localhost:3000")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            let foreign = try await system.client.get("/billing/plans", headers: ["Origin": "https://evil.example"])
            #expect(foreign.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test("killing and restarting nats-server: requests succeed again within seconds")
    func natsRestart() async throws {
        let nats = try NatsServerProcess()
        try await nats.start()
        var options = TestSystem.Options()
        options.nats = nats
        try await TestSystem.with(options) { system in
            let token = try await SessionTests.signIn(system, "restart").token
            #expect(try await system.client.get("/me", token: token).status == 200)

            nats.stop()
            let during = try await system.client.get("/billing/plans")
            #expect([503, 504].contains(during.status))

            try await nats.start()
            let started = ContinuousClock.now
            _ = try await eventually("plans after restart", timeout: .seconds(15), every: .milliseconds(100)) {
                try await system.client.get("/billing/plans").status == 200 ? true : nil
            }
            _ = try await eventually("me after restart", timeout: .seconds(15), every: .milliseconds(100)) {
                try await system.client.get("/me", token: token).status == 200 ? true : nil
            }
            #expect(ContinuousClock.now - started < .seconds(10))

            // The revocations watch survived the restart: a revocation made now still reaches the gateway.
            let doomedUser = try await SessionTests.signIn(system, "doomed")
            let (userID, doomed) = (doomedUser.userID, doomedUser.token)
            let connection = try await system.connect(as: .auth)
            let bucket = try await connection.jetStream().keyValue(SharedBuckets.revocations(system.subjects))
            try await bucket.put(
                Revocation.userKey(userID), JSONEncoder().encode(Revocation(revokedAt: Int64(Date().timeIntervalSince1970) + 1)))
            _ = try await eventually("revocation after restart", timeout: .seconds(5)) {
                try await system.client.get("/me", token: doomed).status == 401 ? true : nil
            }
            await connection.drain()

            // JetStream works again too: a new registration's email arrives.
            let registered = try await system.client.post(
                "/register", json: ["email": "after@example.com", "username": "after", "password": "password-1"])
            #expect(registered.status == 201)
            _ = try await eventually("email after restart", timeout: .seconds(15)) {
                system.emails(to: "after@example.com").first
            }
        }
        nats.stop()
    }
}
