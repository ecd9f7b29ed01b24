import Foundation
import StripeSandbox
import Testing
import TollgateTestSupport

/// The whole subscription lifecycle as a person tries it on `make run` without Stripe keys: through
/// the gateway, the sandbox's hosted pages (read and sent as a browser would) and its test clock,
/// moved through Stripe's own endpoint as `tollgate-stripe-sandbox advance` moves it.
@Suite("The Stripe sandbox: the subscription lifecycle through the gateway, its pages and its clock")
struct StripeSandboxLifecycleTests {
    static func subscribe(_ system: TestSystem, _ user: SessionTests.SignedIn) async throws -> String {
        let answer = try await BillingTestKit.send(system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: user.token)
        #expect(answer.status == 201, "\(answer.text)")
        return try #require(answer.json["checkout_url"] as? String)
    }

    static func status(_ system: TestSystem, _ user: SessionTests.SignedIn, _ wanted: String) async throws -> [String: Any] {
        try await BillingTestKit.subscription(system, user.token, wanted, timeout: .seconds(20)) { $0["status"] as? String == wanted }
    }

    @Test(
        "declined 0002 → nothing; 4242 → active and welcomed; 31 days → renewed; 0341 → past_due and told; portal cancel → access to the period's end, then ended",
        arguments: DatabaseEngine.available)
    func lifecycle(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let clock = SandboxAPIClient(host: "127.0.0.1", port: stripe.port, apiKey: StripeSandbox.secretKey)
            let ann = try await BillingTestKit.verifiedUser(system, "ann")
            let bea = try await BillingTestKit.verifiedUser(system, "bea")

            // The Checkout page: the plan, its price, and a form posting `card_number`.
            let annCheckout = try await Self.subscribe(system, ann)
            let page = try await SandboxBrowser.open(annCheckout)
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("Subscribe to Pro"))
            #expect(page.text.contains("19.00 USD per month"))
            for fetched in ["<script", "<link", "<img", "src=", "@import", "url("] {
                #expect(!page.text.contains(fetched), "no script and nothing fetched: \(fetched)")
            }
            let form = try #require(try SandboxBrowser.forms(in: page, at: annCheckout).first)
            #expect(form.inputs == ["card_number"])

            let declined = try await SandboxBrowser.submit(form, ["card_number": "4000 0000 0000 0002"])
            #expect(declined.status == 402)
            #expect(declined.text.contains("Your card was declined."))
            #expect(stripe.subscriptionIDs().isEmpty, "a declined card creates nothing")
            #expect(stripe.events(type: "checkout.session.completed").isEmpty)
            #expect(try await system.client.get("/billing/subscriptions/me", token: ann.token).status == 404)

            let paid = try await SandboxBrowser.submit(form, ["card_number": "4242424242424242"])
            #expect(paid.status == 303)
            let sessionID = try #require(annCheckout.split(separator: "/").last.map(String.init))
            #expect(paid.header("Location")?.contains(sessionID) == true, "success_url with {CHECKOUT_SESSION_ID} filled in")
            let active = try await Self.status(system, ann, "active")
            #expect((active["plan"] as? [String: Any])?["code"] as? String == "pro")
            _ = try await BillingTestKit.emails(system, to: "ann@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            #expect(try await SandboxBrowser.open(annCheckout).status == 410, "a paid Checkout cannot be paid again")

            // 4000000000000341 is saved and pays nothing later.
            let beaCheckout = try await Self.subscribe(system, bea)
            #expect(try await SandboxBrowser.submit(on: beaCheckout, button: "Subscribe", ["card_number": "4000000000000341"]).status == 303)
            _ = try await Self.status(system, bea, "active")

            // A month and a day later: Ann's card pays the renewal, Bea's does not.
            let advanced = try await clock.advance(days: 31)
            #expect(advanced.events.contains { $0.type == "invoice.paid" })
            #expect(advanced.events.contains { $0.type == "invoice.payment_failed" })
            _ = try await eventually("Ann's second payment") {
                let payments = try await BillingTestKit.payments(system, ann.token)
                return payments.count == 2 && payments.allSatisfy { $0["status"] as? String == "succeeded" } ? true : nil
            }
            _ = try await BillingTestKit.emails(system, to: "ann@example.com", containing: "Subject: Tollgate: Your Pro subscription was renewed")
            _ = try await Self.status(system, bea, "past_due")
            _ = try await BillingTestKit.emails(system, to: "bea@example.com", containing: "Subject: Tollgate: Payment for Pro failed")

            // Bea replaces her card in the portal: the open invoice is paid at once.
            let beaPortal = try #require(
                try await BillingTestKit.send(system, .post, "/billing/portal", token: bea.token).json["url"] as? String)
            let replaced = try await SandboxBrowser.submit(on: beaPortal, button: "Replace card", ["card_number": "4242424242424242"])
            #expect(replaced.status == 303)
            _ = try await Self.status(system, bea, "active")
            #expect(try await SandboxBrowser.open(beaPortal).text.contains("visa •••• 4242"))

            // Ann cancels in the portal: access until the period's end, then none.
            let annPortal = try #require(
                try await BillingTestKit.send(system, .post, "/billing/portal", token: ann.token).json["url"] as? String)
            let canceled = try await SandboxBrowser.submit(on: annPortal, button: "Cancel at the end of the period", [:])
            #expect(canceled.status == 303)
            let ending = try await BillingTestKit.subscription(system, ann.token, "set to cancel") { $0["cancel_at_period_end"] as? Bool == true }
            #expect(ending["status"] as? String == "active", "access stays until the period ends")
            #expect(try await SandboxBrowser.open(annPortal).text.contains("Resume subscription"))

            _ = try await clock.advance(days: 31)
            _ = try await eventually("Ann's subscription ended") {
                try await system.client.get("/billing/subscriptions/me", token: ann.token).status == 404 ? true : nil
            }
            _ = try await BillingTestKit.emails(system, to: "ann@example.com", containing: "Subject: Tollgate: Your Pro subscription has ended")
            _ = try await eventually("Bea renewed on her new card") {
                try await BillingTestKit.payments(system, bea.token).filter { $0["status"] as? String == "succeeded" }.count == 3 ? true : nil
            }
            #expect(stripe.events().allSatisfy { event in stripe.pendingDeliveries().contains(event.id) == false }, "every event accepted")
        }
    }

    @Test("the portal switches plan and resumes; its forms refuse another customer's subscription")
    func portalSwitchAndResume() async throws {
        try await BillingTestKit.with { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            let vip = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "VIP", "code": "vip", "price_cents": 4900, "billing_period": "monthly", "tier": 2], token: admin)
            #expect(vip.status == 201, "\(vip.text)")
            let cyd = try await BillingTestKit.verifiedUser(system, "cyd")
            let dee = try await BillingTestKit.verifiedUser(system, "dee")
            for user in [cyd, dee] {
                #expect(try await SandboxBrowser.submit(on: try await Self.subscribe(system, user), button: "Subscribe", ["card_number": "4242424242424242"]).status == 303)
                _ = try await Self.status(system, user, "active")
            }
            let portal = try #require(try await BillingTestKit.send(system, .post, "/billing/portal", token: cyd.token).json["url"] as? String)
            let page = try await SandboxBrowser.open(portal)
            let switchForm = try #require(try SandboxBrowser.forms(in: page, at: portal).first { $0.button == "Switch" })
            #expect(page.text.contains("VIP — 49.00 USD per month"))
            let vipPrice = try #require(page.text.components(separatedBy: "<option value=\"").dropFirst().first?.components(separatedBy: "\"").first)
            #expect(try await SandboxBrowser.submit(switchForm, ["price": vipPrice]).status == 303)
            _ = try await BillingTestKit.subscription(system, cyd.token, "on VIP") { ($0["plan"] as? [String: Any])?["code"] as? String == "vip" }

            #expect(try await SandboxBrowser.submit(on: portal, button: "Cancel at the end of the period", [:]).status == 303)
            _ = try await BillingTestKit.subscription(system, cyd.token, "set to cancel") { $0["cancel_at_period_end"] as? Bool == true }
            #expect(try await SandboxBrowser.submit(on: portal, button: "Resume subscription", [:]).status == 303)
            _ = try await BillingTestKit.subscription(system, cyd.token, "renewing again") { $0["cancel_at_period_end"] as? Bool == false }

            // Cyd's portal session cannot touch Dee's subscription.
            let cancelForm = try #require(try SandboxBrowser.forms(in: try await SandboxBrowser.open(portal), at: portal).first { $0.button.hasPrefix("Cancel") })
            let deeStripeID = try #require(try await system.client.get("/billing/subscriptions/me", token: dee.token).json["provider_subscription_id"] as? String)
            let refused = try await SandboxBrowser.submit(cancelForm, ["subscription": deeStripeID])
            #expect(refused.status == 404)
            #expect(try await system.client.get("/billing/subscriptions/me", token: dee.token).json["cancel_at_period_end"] as? Bool == false)
        }
    }
}
