import Foundation
import GatewayService
import StripeSandbox
import Testing
import TollgateTestSupport

/// Plans with features and limits, enforced by the gateways from the entitlements bucket: a route
/// needing a feature, an app behind the gateway told the plan, and a plan change reaching the
/// gateway within a second.
@Suite("Plan features and limits through the gateway")
struct PlanFeatureTests {
    static let reports = RoutesFile.Route(method: "GET", path: "/reports", subject: "auth.me", auth: .user, feature: "reports")

    static func patchPro(_ system: TestSystem, _ admin: String, _ body: [String: Any]) async throws -> HTTPResult {
        let plans = try await system.client.get("/billing/plans").jsonArray
        let pro = try #require(plans.first { $0["code"] as? String == "pro" }?["id"] as? String)
        return try await BillingTestKit.send(system, .patch, "/billing/plans/\(pro)", json: body, token: admin)
    }

    @Test("402 without a plan, 403 without the feature, open once an admin adds it and closed once the subscription ends (each within a second); plans and entitlements show features and limits; numbers at their extremes are 422")
    func featureGate() async throws {
        let app = await UpstreamRouteTests.startApp()
        defer { Task { await app.stop() } }
        try await BillingTestKit.with({
            $0.extraRoutes = [Self.reports, .init(method: "GET", path: "/app/*", upstream: "http://127.0.0.1:\(app.port)", auth: .user)]
        }) { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            for bad: [String: Any] in [
                ["features": ["Reports"]], ["features": ["a", "a"]], ["limits": ["projects": -1]], ["limits": ["projects": 1_000_000_000_001]],
                ["limits": ["projects": "ten"]], ["limits": ["projects": 1.5]], ["features": "reports"],
            ] {
                let refused = try await Self.patchPro(system, admin, bad)
                #expect(refused.status == 422, "\(bad): \(refused.text)")
            }
            let set = try await Self.patchPro(system, admin, ["features": ["export"], "limits": ["projects": 10]])
            #expect(set.status == 200, "\(set.text)")
            #expect(set.json["features"] as? [String] == ["export"])
            #expect(set.json["limits"] as? [String: Int] == ["projects": 10])
            let listed = try await system.client.get("/billing/plans").jsonArray.first { $0["code"] as? String == "pro" }
            #expect(listed?["features"] as? [String] == ["export"])

            let ann = try await BillingTestKit.verifiedUser(system, "ann")
            let none = try await system.client.get("/billing/entitlements/me", token: ann.token)
            #expect(none.status == 200)
            #expect(none.json["tier"] as? Int == 0)
            #expect(none.json["plan"] is NSNull || none.json["plan"] == nil)
            let unpaid = try await system.client.get("/reports", token: ann.token)
            #expect(unpaid.status == 402)
            #expect(unpaid.json["detail"] as? String == "This feature needs an active subscription")

            _ = try await SubscriptionFlowTests.subscribeAndPay(system, stripe, ann)
            let mine = try await eventually("the entitlement") { () -> [String: Any]? in
                let answer = try await system.client.get("/billing/entitlements/me", token: ann.token)
                return answer.json["plan"] as? String == "pro" ? answer.json : nil
            }
            #expect(mine["features"] as? [String] == ["export"])
            #expect(mine["limits"] as? [String: Int] == ["projects": 10])
            #expect(mine["tier"] as? Int == 1)
            #expect(mine["access_until"] is String)
            let missing = try await eventually("the plan at the gateway") { () -> HTTPResult? in
                let answer = try await system.client.get("/reports", token: ann.token)
                return answer.status == 403 ? answer : nil
            }
            #expect(missing.json["detail"] as? String == "Your plan does not include reports")
            let echoed = try await system.client.get("/app/echo", token: ann.token)
            let seen = try #require(echoed.json["headers"] as? [String: String])
            #expect(seen["x-tollgate-plan"] == "pro")
            #expect(seen["x-tollgate-features"] == "export")
            let claims = try await UpstreamRouteTests.verifiedAssertion(try #require(seen["x-tollgate-assertion"]), system: system)
            #expect(claims["plan"] as? String == "pro")
            #expect(claims["features"] as? [String] == ["export"])

            // An admin adds the feature: every subscriber's entitlement is rewritten, and the gateway
            // opens the route without the user doing anything.
            let added = try await Self.patchPro(system, admin, ["features": ["export", "reports"]])
            #expect(added.status == 200)
            let changed = ContinuousClock.now
            _ = try await eventually("the route opens", timeout: .seconds(5), every: .milliseconds(10)) {
                try await system.client.get("/reports", token: ann.token).status == 200 ? true : nil
            }
            let took = ContinuousClock.now - changed
            #expect(took < .seconds(1), "a plan change reached the gateway after \(took)")
            let upgraded = try await system.client.get("/app/echo", token: ann.token)
            #expect((upgraded.json["headers"] as? [String: String])?["x-tollgate-features"] == "export,reports")

            // The subscription ends at Stripe: from the event's delivery to the gateway's 402.
            let stripeID = try #require(
                try await system.client.get("/billing/subscriptions/me", token: ann.token).json["provider_subscription_id"] as? String)
            #expect(try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: ann.token).status == 200)
            try await stripe.endPeriod(stripeID)
            let ended = ContinuousClock.now
            _ = try await eventually("the route closes", timeout: .seconds(5), every: .milliseconds(10)) {
                try await system.client.get("/reports", token: ann.token).status == 402 ? true : nil
            }
            let closing = ContinuousClock.now - ended
            #expect(closing < .seconds(1), "the end reached the gateway after \(closing)")
            #expect(try await system.client.get("/billing/entitlements/me", token: ann.token).json["tier"] as? Int == 0)
        }
    }
}
