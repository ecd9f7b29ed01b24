import Foundation
import GatewayService
import StripeSandbox
import Testing
import TollgateTestSupport

/// Routes that count against a plan's limit per billing period (`quota:`), enforced by every
/// gateway from counts they share and keep in the usage bucket.
@Suite("Plan quotas through the gateway")
struct QuotaTests {
    @Test("each call counts against the plan's limit for the period: 429 with Retry-After at the period's end once used up, the same at a second gateway and after a restart, usage in /billing/entitlements/me, a raised limit open within a second")
    func quotaPerPeriod() async throws {
        let app = await UpstreamRouteTests.startApp()
        defer { Task { await app.stop() } }
        try await BillingTestKit.with({
            $0.extraRoutes = [
                .init(method: "GET", path: "/api/*", upstream: "http://127.0.0.1:\(app.port)", auth: .user, quota: "api_calls"),
                .init(method: "GET", path: "/exports", subject: "auth.me", auth: .user, quota: "exports"),
            ]
            $0.environment["TOLLGATE_QUOTA_SAVE_MS"] = "20"
        }) { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            #expect(try await PlanFeatureTests.patchPro(system, admin, ["limits": ["api_calls": 3]]).status == 200)
            let ann = try await BillingTestKit.verifiedUser(system, "ann")
            let unpaid = try await system.client.get("/api/echo", token: ann.token)
            #expect(unpaid.status == 402)
            #expect(unpaid.json["detail"] as? String == "This feature needs an active subscription")
            #expect(unpaid.header("Quota-Limit") == nil)

            _ = try await SubscriptionFlowTests.subscribeAndPay(system, stripe, ann)
            // Refusals (402 until the plan reaches the gateway) are not counted: the first 200 is call 1.
            let first = try await eventually("the plan at the gateway") { () -> HTTPResult? in
                let answer = try await system.client.get("/api/echo", token: ann.token)
                return answer.status == 200 ? answer : nil
            }
            let entitlement = try await system.client.get("/billing/entitlements/me", token: ann.token).json
            let accessUntil = try #require(entitlement["access_until"] as? String)
            let withFraction = ISO8601DateFormatter()
            withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let periodEnd = try #require(
                ISO8601DateFormatter().date(from: accessUntil) ?? withFraction.date(from: accessUntil), "\(accessUntil)")
            let secondsLeft = Int(periodEnd.timeIntervalSinceNow)
            #expect(first.header("Quota-Limit") == "3")
            #expect(first.header("Quota-Remaining") == "2")
            #expect(abs((Int(first.header("Quota-Reset") ?? "") ?? 0) - secondsLeft) <= 5, "reset at the period's end")
            #expect((first.json["headers"] as? [String: String])?["x-tollgate-user-id"] != nil, "the app was reached")
            #expect(try await system.client.get("/api/echo", token: ann.token).header("Quota-Remaining") == "1")
            #expect(try await system.client.get("/api/other/path", token: ann.token).header("Quota-Remaining") == "0")
            let refused = try await system.client.get("/api/echo", token: ann.token)
            #expect(refused.status == 429)
            #expect(refused.json["detail"] as? String == "Your plan's api_calls for this period are used up")
            #expect(refused.header("Quota-Remaining") == "0")
            #expect(abs((Int(refused.header("Retry-After") ?? "") ?? 0) - secondsLeft) <= 5, "retry at the period's end")
            // A limit the plan does not set: 403, as for a feature.
            let exports = try await system.client.get("/exports", token: ann.token)
            #expect(exports.status == 403)
            #expect(exports.json["detail"] as? String == "Your plan does not include exports")

            // Billing reports what the gateways counted: limits without a count show 0.
            let usage = try await eventually("the usage saved and read by Billing") { () -> [String: Int]? in
                let mine = try await system.client.get("/billing/entitlements/me", token: ann.token).json
                let usage = mine["usage"] as? [String: Int]
                return usage?["api_calls"] == 3 ? usage : nil
            }
            #expect(usage == ["api_calls": 3])

            // A second gateway knows the count; so does a gateway restarted under the same name.
            let secondPort = try #require(try await system.startInstance(.gateway, name: "gateway-2"))
            let second = GatewayClient(port: secondPort)
            let atSecond = try await eventually("the second gateway ready") { () -> HTTPResult? in
                let answer = try? await second.get("/api/echo", token: ann.token)
                return answer.flatMap { $0.status == 429 || $0.status == 200 ? $0 : nil }
            }
            #expect(atSecond.status == 429, "the second gateway let a used-up quota through")

            // Raised by an admin: open again within a second, at both gateways, up to the new limit.
            #expect(try await PlanFeatureTests.patchPro(system, admin, ["limits": ["api_calls": 5]]).status == 200)
            let raised = ContinuousClock.now
            let reopened = try await eventually("the raised limit at the gateway", timeout: .seconds(5), every: .milliseconds(10)) {
                () -> HTTPResult? in
                let answer = try await second.get("/api/echo", token: ann.token)
                return answer.status == 200 ? answer : nil
            }
            let took = ContinuousClock.now - raised
            #expect(took < .seconds(1), "a raised limit reached the gateway after \(took)")
            #expect(reopened.header("Quota-Remaining") == "1")
            // The last call left, through the first gateway, which heard of the second's call (the
            // gateways report every 2 ms here); then neither lets another through.
            try await Task.sleep(for: .milliseconds(200))
            let last = try await system.client.get("/api/echo", token: ann.token)
            #expect(last.status == 200)
            #expect(last.header("Quota-Remaining") == "0", "the first gateway did not hear of the second's call")
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await second.get("/api/echo", token: ann.token).status == 429)
            #expect(try await system.client.get("/api/echo", token: ann.token).status == 429)

            await system.stopInstance("gateway-2")
            let restartedPort = try #require(try await system.startInstance(.gateway, name: "gateway-2"))
            let restarted = try await eventually("the restarted gateway ready") { () -> HTTPResult? in
                let answer = try? await GatewayClient(port: restartedPort).get("/api/echo", token: ann.token)
                return answer.flatMap { $0.status == 429 || $0.status == 200 ? $0 : nil }
            }
            #expect(restarted.status == 429, "the count did not survive the restart")
            let total = try await eventually("the usage of both gateways") { () -> Int? in
                let usage = try await system.client.get("/billing/entitlements/me", token: ann.token).json["usage"] as? [String: Int]
                return usage?["api_calls"] == 5 ? 5 : nil
            }
            #expect(total == 5)
        }
    }
}
