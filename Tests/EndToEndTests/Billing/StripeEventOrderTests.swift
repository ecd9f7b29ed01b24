import FluentKit
import Foundation
import Logging
import SQLKit
import Testing
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit
import TollgateTestSupport

@Suite("Stripe events applied exactly once, in any order")
struct StripeEventOrderTests {
    struct Counts: Equatable {
        var subscriptions: Int
        var payments: Int
        var unpublishedEmails: Int
    }

    static func counts(_ system: TestSystem) async throws -> Counts {
        let database = try system.billingDatabase()
        do {
            struct Row: Decodable { let n: Int }
            func count(_ sql: SQLQueryString) async throws -> Int {
                try await database.sql.raw(sql).first(decoding: Row.self)?.n ?? -1
            }
            let counts = Counts(
                subscriptions: try await count("SELECT COUNT(*) AS n FROM subscriptions"),
                payments: try await count("SELECT COUNT(*) AS n FROM payments"),
                unpublishedEmails: try await count("SELECT COUNT(*) AS n FROM outbox_messages WHERE published_at IS NULL"))
            await database.shutdown()
            return counts
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// How many rows Billing's `table` holds (-1 while it cannot be read).
    static func rows(_ system: TestSystem, in table: String) async throws -> Int {
        let database = try system.billingDatabase()
        struct Row: Decodable { let n: Int }
        let n = try? await database.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Row.self)?.n
        await database.shutdown()
        return n ?? -1
    }

    static func processedEvents(_ system: TestSystem) async throws -> Int {
        try await rows(system, in: "processed_stripe_events")
    }

    static let handled: Set<String> = [
        "checkout.session.completed", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    ]

    @Test("50 concurrent deliveries of an event (same id, and Stripe's rare distinct ids) → one subscription, one payment, one email", arguments: DatabaseEngine.available)
    func concurrentDuplicates(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let eve = try await BillingTestKit.verifiedUser(system, "eve")
            let answer = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: eve.token)
            stripe.holdDeliveries(true)
            try await stripe.completeCheckout(try #require(answer.json["checkout_url"] as? String))
            let events = stripe.events().filter { Self.handled.contains($0.type) }
            #expect(events.count == 4)
            // The invoice event alone brings in the subscription (re-read from Stripe) and the payment:
            // 50 copies at once, half under one id (the webhook's dedupe), half under ids of their own
            // (Billing's own idempotency, for Stripe's rare double events). The others once each.
            let invoicePaid = try #require(events.first { $0.type == "invoice.paid" })
            let copies = (0..<25).map { _ in invoicePaid } + (0..<25).map { _ in stripe.copyWithNewID(invoicePaid) }
            let statuses = await withTaskGroup(of: Int.self) { group in
                for copy in copies { group.addTask { await stripe.deliver(copy, attempts: 1) } }
                var statuses: [Int] = []
                for await status in group { statuses.append(status) }
                return statuses
            }
            for event in events where event.id != invoicePaid.id { #expect(await stripe.deliver(event, attempts: 1) == 200) }
            #expect(statuses.allSatisfy { $0 == 200 }, "\(Set(statuses))")
            _ = try await eventually("every distinct event processed", timeout: .seconds(30)) {
                try await Self.processedEvents(system) == 3 + 26 ? true : nil
            }
            _ = try await eventually("the outbox published", timeout: .seconds(10)) {
                try await Self.counts(system).unpublishedEmails == 0 ? true : nil
            }
            #expect(try await Self.counts(system) == Counts(subscriptions: 1, payments: 1, unpublishedEmails: 0))
            let welcome = try await BillingTestKit.emails(system, to: "eve@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            #expect(welcome.count == 1)
            #expect(try await BillingTestKit.payments(system, eve.token).count == 1)
        }
    }

    /// Billing's consumer of the STRIPE stream has nothing left to deliver or to hear back about.
    static func consumerIdle(_ system: TestSystem, _ connection: NatsConnection) async throws -> Bool {
        struct Info: Decodable {
            let num_pending: Int
            let num_ack_pending: Int
        }
        let reply = try await connection.request(
            "$JS.API.CONSUMER.INFO.\(system.subjects.stripeStream).\(system.subjects.billingStripeConsumer)", timeout: .seconds(5))
        let info = try JSONDecoder().decode(Info.self, from: reply.payload)
        return info.num_pending == 0 && info.num_ack_pending == 0
    }

    @Test("an event the stream delivers again after it was applied (acknowledgement lost) changes nothing",
        arguments: DatabaseEngine.available)
    func redelivered(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let gil = try await BillingTestKit.verifiedUser(system, "gil")
            let answer = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: gil.token)
            try await stripe.completeCheckout(try #require(answer.json["checkout_url"] as? String))
            let events = stripe.events().filter { Self.handled.contains($0.type) }
            _ = try await eventually("every event processed", timeout: .seconds(30)) {
                try await Self.processedEvents(system) == events.count ? true : nil
            }
            _ = try await BillingTestKit.emails(system, to: "gil@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            _ = try await eventually("the outbox published") {
                try await Self.counts(system).unpublishedEmails == 0 ? true : nil
            }
            let before = try await Self.counts(system)
            let outboxBefore = try await Self.rows(system, in: OutboxMessage.schema)
            let invoiceReads = stripe.requests().filter { $0.path.hasPrefix("/v1/invoices/") }.count

            // What a redelivery looks like to Billing: the same event, stored again (under another
            // message id, as after the webhook's duplicate window).
            let invoicePaid = try #require(events.first { $0.type == "invoice.paid" })
            let connection = try await system.connect(as: .webhook)
            let harness = try await system.connectHarness()
            _ = try await connection.jetStream().publish(
                system.subjects.stripeEvent(type: invoicePaid.type), payload: invoicePaid.body, messageID: "again-\(invoicePaid.id)")
            _ = try await eventually("Billing read the invoice again") {
                stripe.requests().filter { $0.path.hasPrefix("/v1/invoices/") }.count > invoiceReads ? true : nil
            }
            _ = try await eventually("the copy acknowledged") { try await Self.consumerIdle(system, harness) ? true : nil }
            await connection.drain()
            await harness.drain()

            #expect(try await Self.processedEvents(system) == events.count)
            #expect(try await Self.counts(system) == before)
            #expect(try await Self.rows(system, in: OutboxMessage.schema) == outboxBefore, "no email or entitlement queued again")
            let welcome = try await BillingTestKit.emails(system, to: "gil@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            #expect(welcome.count == 1)
            #expect(try await BillingTestKit.payments(system, gil.token).count == 1)
        }
    }

    @Test("the same story delivered backwards ends in the same state as delivered in order", arguments: DatabaseEngine.available)
    func reverseOrder(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let fay = try await BillingTestKit.verifiedUser(system, "fay")
            let answer = try await BillingTestKit.send(
                system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "pro"], token: fay.token)
            stripe.holdDeliveries(true)
            let stripeID = try await stripe.completeCheckout(try #require(answer.json["checkout_url"] as? String))
            try await stripe.renew(stripeID)
            try await stripe.renew(stripeID, paymentFails: true)
            let events = stripe.events().filter { Self.handled.contains($0.type) }
            for event in events.reversed() { #expect(await stripe.deliver(event, attempts: 1) == 200) }

            _ = try await eventually("every event processed", timeout: .seconds(30)) {
                try await Self.processedEvents(system) == events.count ? true : nil
            }
            let subscription = try await BillingTestKit.subscription(system, fay.token, "past_due") { $0["status"] as? String == "past_due" }
            let expectedEnd = try #require(stripe.subscriptionPeriodEnd(stripeID))
            let periodEnd = try #require((subscription["current_period_end"] as? String).flatMap(ISOTime.date))
            #expect(Int64(periodEnd.timeIntervalSince1970) == expectedEnd, "the latest period, not an older one")
            let payments = try await BillingTestKit.payments(system, fay.token)
            #expect(payments.map { $0["status"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["failed", "succeeded", "succeeded"])
            #expect(try await Self.counts(system).subscriptions == 1)
            _ = try await BillingTestKit.emails(system, to: "fay@example.com", containing: "Subject: Tollgate: Welcome to Pro")
            _ = try await BillingTestKit.emails(system, to: "fay@example.com", containing: "was renewed")
            _ = try await BillingTestKit.emails(system, to: "fay@example.com", containing: "Subject: Tollgate: Payment for Pro failed")
        }
    }

    @Test("the expiry sweep ends a canceled subscription at its period's end, without any event from Stripe")
    func sweepEndsExpired() async throws {
        try await BillingTestKit.with({ $0.environment["TOLLGATE_BILLING_SWEEP_SECONDS"] = "1" }) { system, stripe in
            let gus = try await BillingTestKit.verifiedUser(system, "gus")
            let stripeID = try await SubscriptionFlowTests.subscribeAndPay(system, stripe, gus)
            #expect(try await BillingTestKit.send(system, .post, "/billing/subscriptions/cancel", token: gus.token).status == 200)
            try await stripe.endCurrentPeriod(stripeID, inSeconds: 2)
            stripe.holdDeliveries(true)
            _ = try await BillingTestKit.emails(system, to: "gus@example.com", containing: "Subject: Tollgate: Your Pro subscription has ended")
            #expect(stripe.events(type: "customer.subscription.deleted").isEmpty, "Stripe said nothing: the sweep did it")
            #expect(try await system.client.get("/billing/subscriptions/me", token: gus.token).status == 404)
        }
    }
}
