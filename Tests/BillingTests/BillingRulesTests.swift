import Foundation
import Testing
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit
import TollgateTestSupport
import Logging

@testable import BillingService

@Suite("Billing's rules, one by one")
struct BillingRulesTests {
    @Test("Stripe's statuses in the contract's terms; an unknown one is pending (no access)", arguments: [
        ("active", "active"), ("trialing", "trialing"), ("past_due", "past_due"), ("unpaid", "past_due"),
        ("paused", "past_due"), ("canceled", "canceled"), ("incomplete_expired", "canceled"), ("incomplete", "pending"),
        ("some_future_status", "pending"),
    ])
    func statuses(stripe: String, ours: String) {
        #expect(SubscriptionSync.status(stripe).rawValue == ours)
    }

    @Test("access: period in the future and not finally canceled; a scheduled cancel keeps it")
    func accessRule() {
        let now = Date()
        let subscription = Subscription()
        subscription.status = "active"
        subscription.cancelAtPeriodEnd = true
        subscription.currentPeriodEnd = now.addingTimeInterval(60)
        #expect(subscription.hasAccess(at: now))
        subscription.currentPeriodEnd = now.addingTimeInterval(-1)
        #expect(!subscription.hasAccess(at: now))
        subscription.currentPeriodEnd = now.addingTimeInterval(60)
        subscription.status = "canceled"
        #expect(!subscription.hasAccess(at: now))
        subscription.status = "past_due"
        #expect(subscription.hasAccess(at: now), "Stripe is still retrying; the period was paid")
        subscription.currentPeriodEnd = nil
        #expect(!subscription.hasAccess(at: now))
    }

    @Test("money as email text; dates as a day in UTC")
    func money() {
        #expect(BillingEmails.money(1900, currency: "usd") == "$19.00")
        #expect(BillingEmails.money(5, currency: "USD") == "$0.05")
        #expect(BillingEmails.money(1910, currency: "USD") == "$19.10")
        #expect(BillingEmails.money(123_456, currency: "eur") == "1234.56 EUR")
        #expect(EmailDates.day(Date(timeIntervalSince1970: 1_796_000_000)) == "30 November 2026")
        #expect(EmailDates.moment(Date(timeIntervalSince1970: 1_796_000_000)) == "2026-11-30 00:53 UTC")
        #expect(EmailDates.day(Date(timeIntervalSince1970: 951_782_400)) == "29 February 2000")
        #expect(EmailDates.day(Date(timeIntervalSince1970: 1_709_251_200)) == "1 March 2024")
        #expect(EmailDates.moment(Date(timeIntervalSince1970: 1_704_067_199)) == "2023-12-31 23:59 UTC", "minutes cut, not rounded")
        #expect(EmailDates.header(Date(timeIntervalSince1970: 1_796_000_000)) == "Mon, 30 Nov 2026 00:53:20 +0000")
        #expect(EmailDates.header(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test("entitlement: the highest tier among grants, with that tier's latest end; none is tier 0 without an end")
    func entitlement() {
        func grant(tier: Int?, until: Int64) -> AccessGrant {
            AccessGrant(id: UUID(), status: "active", currentPeriodEnd: Date(timeIntervalSince1970: TimeInterval(until)), tier: tier)
        }
        #expect(EntitlementOutbox.best(of: []) == Entitlement(tier: 0, accessUntil: nil))
        #expect(EntitlementOutbox.best(of: [grant(tier: 1, until: 500), grant(tier: 2, until: 100)]) == Entitlement(tier: 2, accessUntil: 100))
        #expect(EntitlementOutbox.best(of: [grant(tier: 1, until: 100), grant(tier: 1, until: 900)]) == Entitlement(tier: 1, accessUntil: 900))
        #expect(EntitlementOutbox.best(of: [grant(tier: nil, until: 100)]) == Entitlement(tier: 0, accessUntil: 100), "a plan gone from the table counts as tier 0")
        var pro = grant(tier: 1, until: 500)
        pro.code = "pro"
        pro.features = #"["export","reports"]"#
        pro.limits = #"{"projects":10}"#
        #expect(
            EntitlementOutbox.best(of: [grant(tier: 0, until: 900), pro])
                == Entitlement(tier: 1, accessUntil: 500, plan: "pro", features: ["export", "reports"], limits: ["projects": 10]),
            "the best grant's plan, features and limits")
        pro.features = "not json"
        #expect(EntitlementOutbox.best(of: [pro]).features == [], "a row that cannot be read entitles to nothing")
    }

    @Test("plan features and limits: distinct names of 1 to 64 lower-case characters, at most 50, limits 0 to a trillion")
    func planEntitlementsInput() throws {
        let tiers: Set<Int> = [0, 1, 2]
        var good = PlanInput()
        good.features = ["reports", "export-csv", "api_v2"]
        good.limits = ["projects": 0, "api_calls": 1_000_000_000_000]
        try good.validate(creating: false, tiers: tiers)
        let badFeatures: [[String]] = [
            ["Reports"], [""], [String(repeating: "a", count: 65)], ["dup", "dup"], (0...50).map { "f\($0)" }, ["naïve"], ["a b"],
        ]
        for features in badFeatures {
            var input = PlanInput()
            input.features = features
            do {
                try input.validate(creating: false, tiers: tiers)
                Issue.record("accepted \(features.prefix(3))")
            } catch {
                #expect(error.errors.keys.contains("features"))
            }
        }
        let badLimits: [[String: Int]] = [["x": -1], ["x": 1_000_000_000_001], ["x": Int.max], ["x": Int.min], ["X": 1], ["": 1]]
        for limits in badLimits {
            var input = PlanInput()
            input.limits = limits
            do {
                try input.validate(creating: false, tiers: tiers)
                Issue.record("accepted \(limits)")
            } catch {
                #expect(error.errors.keys.contains("limits"))
            }
        }
    }

    @Test("plan input: required fields when creating, one message per bad field, sane codes, ISO 4217, configured tiers")
    func planInput() throws {
        let tiers: Set<Int> = [0, 1, 2]
        #expect(throws: ValidationFailure.self) { try PlanInput().validate(creating: true, tiers: tiers) }
        do {
            try PlanInput().validate(creating: true, tiers: tiers)
        } catch {
            #expect(Set(error.errors.keys) == ["name", "code", "price_cents", "billing_period"])
        }
        try PlanInput().validate(creating: false, tiers: tiers)
        for (tier, currency) in [(3, "US"), (-1, "XXX"), (Int.max, "ABC"), (Int.min, "usd1"), (0, "XAU")] {
            var input = PlanInput()
            input.tier = tier
            input.currency = currency
            input.priceCents = tier == 0 ? Int.max : nil
            do {
                try input.validate(creating: false, tiers: tier == 0 ? [] : tiers)
                Issue.record("expected a failure for \(tier) \(currency)")
            } catch {
                #expect(Set(error.errors.keys).isSuperset(of: ["tier", "currency"]), "\(tier) \(currency)")
            }
        }
        for currency in ["usd", "EUR", "jpy", "XOF", "CHF"] {
            var input = PlanInput()
            input.currency = currency
            input.tier = 2
            try input.validate(creating: false, tiers: tiers)
            #expect(CurrencyCodes.normalized(currency) == currency.uppercased())
        }
        #expect(PlanInput.isValidCode("pro-2026_a"))
        #expect(!PlanInput.isValidCode("Pro"))
        #expect(!PlanInput.isValidCode(""))
        #expect(!PlanInput.isValidCode(String(repeating: "a", count: 51)))
        #expect(!PlanInput.isValidCode("pró"))
    }

    @Test("an invoice names its subscription under parent (basil and later), else on its lines; expandable ids read either way")
    func invoiceSubscription() throws {
        let modern = #"{"id":"in_1","amount_paid":1900,"amount_due":1900,"currency":"usd","parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1","metadata":{}}},"lines":{"data":[]}}"#
        #expect(try JSONDecoder().decode(StripeInvoice.self, from: Data(modern.utf8)).subscriptionID == "sub_1")
        let expanded = #"{"id":"in_2","amount_paid":0,"amount_due":0,"currency":"usd","parent":{"subscription_details":{"subscription":{"id":"sub_2","object":"subscription"}}}}"#
        #expect(try JSONDecoder().decode(StripeInvoice.self, from: Data(expanded.utf8)).subscriptionID == "sub_2")
        #expect(try JSONDecoder().decode(StripeInvoice.self, from: Data(expanded.utf8)).subscription == nil, "not a whole subscription")
        let whole = #"{"id":"in_5","amount_paid":0,"amount_due":0,"currency":"usd","parent":{"subscription_details":{"subscription":{"id":"sub_5","object":"subscription","status":"past_due","customer":"cus_5","cancel_at_period_end":false,"items":{"data":[{"id":"si_5","price":{"id":"p5"},"current_period_end":700}]}}}}}"#
        let withSubscription = try JSONDecoder().decode(StripeInvoice.self, from: Data(whole.utf8))
        #expect(withSubscription.subscriptionID == "sub_5")
        #expect(withSubscription.subscription?.status == "past_due")
        #expect(withSubscription.subscription?.currentPeriodEnd == 700)
        let onLines = #"{"id":"in_3","amount_paid":0,"amount_due":0,"currency":"usd","parent":null,"lines":{"data":[{"parent":{"subscription_item_details":{"subscription":"sub_3"}}}]},"unknown_new_field":{"x":1}}"#
        #expect(try JSONDecoder().decode(StripeInvoice.self, from: Data(onLines.utf8)).subscriptionID == "sub_3")
        let none = #"{"id":"in_4","amount_paid":0,"amount_due":0,"currency":"usd"}"#
        #expect(try JSONDecoder().decode(StripeInvoice.self, from: Data(none.utf8)).subscriptionID == nil)
    }

    @Test("a subscription's period is its items' latest end (none on the subscription since basil)")
    func subscriptionPeriod() throws {
        let json = #"{"id":"sub_1","status":"active","customer":{"id":"cus_1"},"cancel_at_period_end":false,"items":{"data":[{"id":"si_1","price":{"id":"p1"},"current_period_end":100},{"id":"si_2","price":{"id":"p2","metadata":{"plan_id":"x"}},"current_period_end":250}]}}"#
        let subscription = try JSONDecoder().decode(StripeSubscription.self, from: Data(json.utf8))
        #expect(subscription.currentPeriodEnd == 250)
        #expect(subscription.customer.id == "cus_1")
        #expect(subscription.items.data[1].price.metadata?["plan_id"] == "x")
    }

    @Test("a lease: one holder at a time, renewable by its holder, free once expired or released", arguments: DatabaseEngine.available)
    func lease(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { location in
            let database = try await ServiceDatabase.open(
                url: location.url, migrations: BillingMigrations.all, logger: Logger(label: "lease-test"))
            do {
                let first = Lease(database: database, name: "job", holder: "a", duration: 60)
                let second = Lease(database: database, name: "job", holder: "b", duration: 60)
                let now = Date()
                #expect(try await first.acquire(now: now))
                #expect(try await !second.acquire(now: now.addingTimeInterval(30)))
                #expect(try await first.acquire(now: now.addingTimeInterval(30)), "the holder renews")
                #expect(try await !second.acquire(now: now.addingTimeInterval(89)))
                #expect(try await second.acquire(now: now.addingTimeInterval(91)), "expired: another takes it")
                #expect(try await !first.acquire(now: now.addingTimeInterval(92)))
                try await second.release()
                #expect(try await first.acquire(now: now.addingTimeInterval(93)))
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
    }

    @Test("idempotency keys: derived from the row and the change, stable across processes")
    func idempotencyKeys() {
        #expect("Team".hashValueStable == "Team".hashValueStable)
        #expect("Team".hashValueStable != "Team+".hashValueStable)
        #expect("".hashValueStable == 0xcbf2_9ce4_8422_2325)
        #expect(Date(timeIntervalSince1970: 1.2345).millisecondsText == "1235")
    }
}
