import Foundation
import Testing
import TollgateTestSupport

@Suite("Concurrent subscribes bill once: one customer, one open Checkout, never two live subscriptions")
struct SubscribeOnceTests {
    static func subscribe(_ system: TestSystem, _ user: SessionTests.SignedIn, _ plan: String) async throws -> HTTPResult {
        try await BillingTestKit.send(system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": plan], token: user.token)
    }

    static func vipPlan(_ system: TestSystem) async throws {
        let admin = try await BillingTestKit.adminToken(system)
        let vip = try await BillingTestKit.send(
            system, .post, "/billing/plans",
            json: ["name": "VIP", "code": "vip", "price_cents": 9900, "billing_period": "monthly", "tier": 2], token: admin)
        #expect(vip.status == 201)
    }

    @Test("ten subscribes at once: ten 201s with one URL, one customer, one Checkout session", arguments: DatabaseEngine.available)
    func tenAtOnce(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let ike = try await BillingTestKit.verifiedUser(system, "ike")
            let answers = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<10 { group.addTask { try await Self.subscribe(system, ike, "pro") } }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
            #expect(answers.map(\.status) == Array(repeating: 201, count: 10), "\(answers.map(\.text))")
            let urls = Set(answers.compactMap { $0.json["checkout_url"] as? String })
            #expect(urls.count == 1, "the open session is answered again")
            #expect(stripe.customers().filter { $0.userID == ike.userID }.count == 1)
            #expect(stripe.checkoutSessionIDs().count == 1)
            #expect(try await Self.subscribe(system, ike, "pro").json["checkout_url"] as? String == urls.first, "later, too")

            _ = try await stripe.completeCheckout(try #require(urls.first))
            _ = try await BillingTestKit.subscription(system, ike.token, "active") { $0["status"] as? String == "active" }
            #expect(try await Self.subscribe(system, ike, "pro").status == 400, "subscribed now")
        }
    }

    @Test("two Checkouts paid: the later subscription is canceled at Stripe, refunded and explained; the first stays",
          arguments: DatabaseEngine.available)
    func twoPaid(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            try await Self.vipPlan(system)
            let joy = try await BillingTestKit.verifiedUser(system, "joy")
            let pro = try #require(try await Self.subscribe(system, joy, "pro").json["checkout_url"] as? String)
            let vip = try #require(try await Self.subscribe(system, joy, "vip").json["checkout_url"] as? String)
            #expect(pro != vip, "one open session per plan")
            let first = try await stripe.completeCheckout(pro)
            stripe.clock.advance(by: .seconds(1))  // Stripe's timestamps are in seconds: make "later" unambiguous
            let second = try await stripe.completeCheckout(vip)

            _ = try await eventually("the second subscription canceled at Stripe") {
                stripe.subscriptionStatus(second) == "canceled" ? true : nil
            }
            #expect(stripe.subscriptionStatus(first) == "active")
            let refunds = stripe.refunds()
            #expect(refunds.count == 1)
            #expect(refunds.first?.amount == 9900)
            #expect(refunds.first?.reason == "duplicate")
            let email = try await Mailbox(system, "joy@example.com").next(containing: "canceled the new")
            #expect(email.contains("refunded $99.00"), "\(email)")
            let current = try await BillingTestKit.subscription(system, joy.token, "on pro") {
                ($0["plan"] as? [String: Any])?["code"] as? String == "pro"
            }
            #expect(current["provider_subscription_id"] as? String == first)
            try await system.waitForMailToSettle()
            #expect(Mailbox(system, "joy@example.com").texts().filter { $0.contains("canceled the new") }.count == 1, "told once")
        }
    }

    @Test("events of the later subscription arriving first change nothing: the later one still goes")
    func reversedOrder() async throws {
        try await BillingTestKit.with { system, stripe in
            try await Self.vipPlan(system)
            let kai = try await BillingTestKit.verifiedUser(system, "kai")
            let pro = try #require(try await Self.subscribe(system, kai, "pro").json["checkout_url"] as? String)
            let vip = try #require(try await Self.subscribe(system, kai, "vip").json["checkout_url"] as? String)
            stripe.holdDeliveries(true)
            let first = try await stripe.completeCheckout(pro)
            let held = stripe.events().count
            stripe.clock.advance(by: .seconds(1))
            let second = try await stripe.completeCheckout(vip)
            let events = stripe.events()
            stripe.holdDeliveries(false)
            for event in events[held...] { await stripe.deliver(event) }
            _ = try await BillingTestKit.subscription(system, kai.token, "on vip, for now") {
                ($0["plan"] as? [String: Any])?["code"] as? String == "vip"
            }
            for event in events[..<held] { await stripe.deliver(event) }

            _ = try await eventually("the later subscription canceled at Stripe") {
                stripe.subscriptionStatus(second) == "canceled" ? true : nil
            }
            #expect(stripe.subscriptionStatus(first) == "active")
            let current = try await BillingTestKit.subscription(system, kai.token, "on pro") {
                ($0["plan"] as? [String: Any])?["code"] as? String == "pro"
            }
            #expect(current["provider_subscription_id"] as? String == first)
            #expect(stripe.refunds().map(\.amount) == [9900])
        }
    }
}
