import Foundation
import GatewayService
import StripeSandbox
import Testing
import TollgateTestSupport

@Suite("Subscriptions through the gateway, with Stripe's side played by the stand-in")
struct SubscriptionFlowTests {
    static let proOnly = RoutesFile.Route(
        method: "GET", path: "/pro-only", subject: "auth.me", auth: .user, rateLimit: "authenticated", tier: 1)

    /// Subscribes `user` to `plan` and pays at Checkout; returns the Stripe subscription id.
    static func subscribeAndPay(
        _ system: TestSystem, _ stripe: StripeSandbox, _ user: SessionTests.SignedIn, plan: String = "pro"
    ) async throws -> String {
        let answer = try await BillingTestKit.send(
            system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": plan], token: user.token)
        #expect(answer.status == 201, "\(answer.text)")
        let url = try #require(answer.json["checkout_url"] as? String)
        let subscriptionID = try await stripe.completeCheckout(url)
        _ = try await BillingTestKit.subscription(system, user.token, "subscription to \(plan)") { sub in
            (sub["plan"] as? [String: Any])?["code"] as? String == plan
        }
        return subscriptionID
    }

    @Test(
        "subscribe → Checkout completed → access: payment, 'started' email, the tier route opens; only verified users",
        arguments: DatabaseEngine.available)
    func subscribeGivesAccess(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine, { $0.extraRoutes = [Self.proOnly] }) { system, stripe in
            let unverified = try await SessionTests.signIn(system, "uma")
            let refused = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: unverified.token)
            #expect(refused.status == 403)
            #expect(refused.json["detail"] as? String == "User account is not active or verified")

            let ann = try await BillingTestKit.verifiedUser(system, "ann")
            #expect(try await system.client.get("/billing/subscriptions/me", token: ann.token).status == 404)
            let locked = try await system.client.get("/pro-only", token: ann.token)
            #expect(locked.status == 402)
            #expect(locked.json["detail"] as? String == "This feature needs an active subscription")
            let noPlan = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "nope"], token: ann.token)
            #expect(noPlan.status == 404)
            let badBody = try await BillingTestKit.send(system, .post, "/billing/subscriptions/subscribe", json: [:], token: ann.token)
            #expect(badBody.status == 422)

            let stripeID = try await Self.subscribeAndPay(system, stripe, ann)
            let checkout = try #require(stripe.requests(path: "/v1/checkout/sessions").last)
            #expect(checkout.form["metadata[user_id]"] == ann.userID)
            #expect(checkout.form["metadata[plan_code]"] == "pro")
            #expect(checkout.form["subscription_data[metadata][user_id]"] == ann.userID)
            #expect(checkout.form["mode"] == "subscription")
            #expect(stripe.customers().map(\.email) == ["ann@example.com"])
            #expect(stripe.customers().first?.userID == ann.userID)

            let subscription = try await BillingTestKit.subscription(system, ann.token, "active") { $0["status"] as? String == "active" }
            #expect(subscription["provider"] as? String == "stripe")
            #expect(subscription["provider_subscription_id"] as? String == stripeID)
            #expect(subscription["cancel_at_period_end"] as? Bool == false)
            #expect(subscription["current_period_end"] is String)

            let payments = try await eventually("one payment") {
                let list = try await BillingTestKit.payments(system, ann.token)
                return list.count == 1 ? list : nil
            }
            #expect(payments[0]["amount_cents"] as? Int == 1900)
            #expect(payments[0]["currency"] as? String == "USD")
            #expect(payments[0]["status"] as? String == "succeeded")
            #expect(payments[0]["provider_invoice_id"] as? String != nil)
            let welcome = try await BillingTestKit.emails(system, to: "ann@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            #expect(MimeParts.decodedBodies(of: welcome[0]).first?.contains("Your Pro subscription has started: $19.00") == true)

            _ = try await eventually("the tier route opens") {
                try await system.client.get("/pro-only", token: ann.token).status == 200 ? true : nil
            }
            let again = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: ann.token)
            #expect(again.status == 400)
            #expect(again.json["detail"] as? String == "User already has an active subscription.")

            let portal = try await BillingTestKit.send(system, .post, "/billing/portal", token: ann.token)
            #expect(portal.status == 200)
            #expect((portal.json["url"] as? String)?.contains("/portal/bps_") == true)
            #expect(stripe.requests(path: "/v1/customers").filter { $0.method == "POST" }.count == 1, "one customer, made once")
        }
    }

    @Test("first checkouts racing make one Stripe customer")
    func oneCustomer() async throws {
        try await BillingTestKit.with { system, stripe in
            let hal = try await BillingTestKit.verifiedUser(system, "hal")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await BillingTestKit.send(
                            system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: hal.token
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 6))
            #expect(stripe.customers().count == 1)
            #expect(stripe.customers().first?.userID == hal.userID)
        }
    }

    @Test("renewal records the payment and says 'renewed'; a failed renewal makes it past_due and says so")
    func renewalAndFailure() async throws {
        try await BillingTestKit.with { system, stripe in
            let bob = try await BillingTestKit.verifiedUser(system, "bob")
            let stripeID = try await Self.subscribeAndPay(system, stripe, bob)
            _ = try await eventually("first payment") { try await BillingTestKit.payments(system, bob.token).count == 1 ? true : nil }

            try await stripe.renew(stripeID)
            let payments = try await eventually("two payments") {
                let list = try await BillingTestKit.payments(system, bob.token)
                return list.count == 2 ? list : nil
            }
            #expect(payments.allSatisfy { $0["status"] as? String == "succeeded" })
            _ = try await BillingTestKit.emails(system, to: "bob@example.com", containing: "Subject: Tollgate: Your Pro subscription was renewed")

            try await stripe.renew(stripeID, paymentFails: true)
            let pastDue = try await BillingTestKit.subscription(system, bob.token, "past_due") { $0["status"] as? String == "past_due" }
            #expect(pastDue["provider_subscription_id"] as? String == stripeID)
            let failed = try await eventually("a failed payment") {
                try await BillingTestKit.payments(system, bob.token).first { $0["status"] as? String == "failed" }
            }
            #expect(failed["amount_cents"] as? Int == 1900)
            _ = try await BillingTestKit.emails(system, to: "bob@example.com", containing: "Subject: Tollgate: Payment for Pro failed")
        }
    }

    @Test("cancel keeps access until the period ends; resume undoes it; the period's end cancels it and says so")
    func cancelAndResume() async throws {
        try await BillingTestKit.with({ $0.extraRoutes = [Self.proOnly] }) { system, stripe in
            let cat = try await BillingTestKit.verifiedUser(system, "cat")
            let stripeID = try await Self.subscribeAndPay(system, stripe, cat)

            let canceled = try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: cat.token)
            #expect(canceled.status == 200, "\(canceled.text)")
            #expect(canceled.json["cancel_at_period_end"] as? Bool == true)
            #expect(canceled.json["status"] as? String == "active", "access stays until the period ends")
            #expect(try await system.client.get("/pro-only", token: cat.token).status == 200)
            _ = try await BillingTestKit.emails(system, to: "cat@example.com", containing: "Subject: Tollgate: Your Pro subscription will end on")
            let twice = try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: cat.token)
            #expect(twice.status == 400)
            #expect(twice.json["detail"] as? String == "Subscription is already set to cancel at the end of the billing period.")

            let resumed = try await BillingTestKit.send(system, .post, "/billing/subscriptions/resume", token: cat.token)
            #expect(resumed.status == 200)
            #expect(resumed.json["cancel_at_period_end"] as? Bool == false)
            #expect(try await BillingTestKit.send(system, .post, "/billing/subscriptions/resume", token: cat.token).status == 400)

            #expect(try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: cat.token).status == 200)
            try await stripe.endPeriod(stripeID)
            _ = try await eventually("no subscription with access") {
                try await system.client.get("/billing/subscriptions/me", token: cat.token).status == 404 ? true : nil
            }
            _ = try await BillingTestKit.emails(system, to: "cat@example.com", containing: "Subject: Tollgate: Your Pro subscription has ended")
            _ = try await eventually("the tier route closes") {
                try await system.client.get("/pro-only", token: cat.token).status == 402 ? true : nil
            }
            #expect(try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: cat.token).status == 404)
        }
    }

    @Test("upgrade goes through Checkout and cancels the old subscription once the new one exists; change-plan swaps in place")
    func upgradeAndChangePlan() async throws {
        try await BillingTestKit.with({ $0.extraRoutes = [Self.proOnly] }) { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            let vip = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "VIP", "code": "vip", "price_cents": 9900, "billing_period": "monthly", "tier": 2], token: admin)
            #expect(vip.status == 201)

            let dan = try await BillingTestKit.verifiedUser(system, "dan")
            let noSubscription = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "vip"], token: dan.token)
            #expect(noSubscription.status == 404)
            let oldID = try await Self.subscribeAndPay(system, stripe, dan)
            let same = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "pro"], token: dan.token)
            #expect(same.status == 400)
            let upgrade = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "vip"], token: dan.token)
            #expect(upgrade.status == 200, "\(upgrade.text)")
            let checkout = try #require(stripe.requests(path: "/v1/checkout/sessions").last)
            #expect(checkout.form["metadata[upgrade_from_subscription_id]"] != nil)
            let newID = try await stripe.completeCheckout(try #require(upgrade.json["checkout_url"] as? String))
            let current = try await BillingTestKit.subscription(system, dan.token, "on vip") {
                ($0["plan"] as? [String: Any])?["code"] as? String == "vip"
            }
            #expect(current["provider_subscription_id"] as? String == newID)
            _ = try await eventually("the old subscription canceled at Stripe") {
                stripe.subscriptionStatus(oldID) == "canceled" ? true : nil
            }
            _ = try await BillingTestKit.emails(system, to: "dan@example.com", containing: "Subject: Tollgate: Your subscription is now VIP")
            #expect(system.emails(to: "dan@example.com").filter { $0.contains("has ended") }.isEmpty, "a replaced subscription is not 'ended'")

            // change-plan: back to pro on the same Stripe subscription, no Checkout.
            let sessionsBefore = stripe.requests(path: "/v1/checkout/sessions").count
            let changed = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/change-plan", json: ["plan_code": "pro"], token: dan.token)
            #expect(changed.status == 200, "\(changed.text)")
            #expect((changed.json["plan"] as? [String: Any])?["code"] as? String == "pro")
            #expect(changed.json["provider_subscription_id"] as? String == newID)
            #expect(stripe.requests(path: "/v1/checkout/sessions").count == sessionsBefore)
            let swap = try #require(stripe.requests(path: "/v1/subscriptions/\(newID)").last { $0.method == "POST" })
            #expect(swap.form["proration_behavior"] == "create_prorations")
            #expect(swap.form["items[0][id]"] != nil)
            _ = try await BillingTestKit.emails(system, to: "dan@example.com", containing: "Subject: Tollgate: Your subscription is now Pro")
            let again = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/change-plan", json: ["plan_code": "pro"], token: dan.token)
            #expect(again.status == 400)
        }
    }
}
