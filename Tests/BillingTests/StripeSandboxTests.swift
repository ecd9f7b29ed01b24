import Foundation
import StripeSandbox
import Testing
import TollgateTestSupport

@testable import BillingService

/// The stand-in must answer as Stripe does, or the billing tests prove nothing: these drive it with
/// Billing's own Stripe client.
@Suite("The Stripe sandbox speaks Stripe")
struct StripeSandboxTests {
    static func withStandIn(_ body: (StripeSandbox, StripeClient) async throws -> Void) async throws {
        let stripe = try await StripeSandbox.start(webhookSecrets: ["whsec_x"])
        let client = StripeClient(
            secretKey: StripeSandbox.secretKey, apiBase: stripe.url, retry: StripeRetryPolicy(maxRetries: 2, initialDelay: .milliseconds(5)))
        do {
            try await body(stripe, client)
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    @Test("an idempotency key replays the first answer; other parameters under it are an idempotency_error")
    func idempotency() async throws {
        try await Self.withStandIn { stripe, client in
            let first = try await client.post("/v1/customers", [("email", "a@x.test")], idempotencyKey: "k1", as: StripeObjectID.self)
            let again = try await client.post("/v1/customers", [("email", "a@x.test")], idempotencyKey: "k1", as: StripeObjectID.self)
            #expect(first.id == again.id)
            #expect(stripe.customers().count == 1)
            do {
                _ = try await client.post("/v1/customers", [("email", "b@x.test")], idempotencyKey: "k1", as: StripeObjectID.self)
                Issue.record("expected an idempotency error")
            } catch let error as StripeError {
                #expect(error.status == 400)
                #expect(error.kind == .idempotency)
            }
        }
    }

    @Test("an invoice read with its subscription expanded carries the whole subscription; other expansions are refused")
    func invoiceExpansion() async throws {
        try await Self.withStandIn { stripe, client in
            let events = stripe.seedPaidSubscription(userID: UUID().uuidString.lowercased(), planID: UUID().uuidString, amount: 1900)
            let paid = try #require(events.first { $0.type == "invoice.paid" })
            let invoiceID = try JSONDecoder().decode(StripeEvent.self, from: paid.body).data.object.id
            let invoice = try await StripeCalls(client: client).invoice(invoiceID)
            let subscription = try #require(invoice.subscription, "Billing asks for it expanded")
            #expect(subscription.id == invoice.subscriptionID)
            #expect(subscription.status == "active")
            #expect(subscription.currentPeriodEnd != nil)
            let plain = try await client.get("/v1/invoices/\(invoiceID)", as: StripeInvoice.self)
            #expect(plain.subscription == nil && plain.subscriptionID == subscription.id, "unexpanded: the id only")
            do {
                _ = try await client.get("/v1/invoices/\(invoiceID)", query: [("expand", .list([.string("customer.invoices")]))], as: StripeInvoice.self)
                Issue.record("expected a refused expansion")
            } catch let error as StripeError {
                #expect(error.status == 400)
                #expect(error.message.contains("cannot be expanded"))
            }
        }
    }

    @Test("unknown parameters, missing ones, unknown objects and a wrong key get Stripe's errors")
    func errors() async throws {
        try await Self.withStandIn { stripe, client in
            do {
                _ = try await client.post("/v1/customers", [("emial", "a@x.test")], idempotencyKey: "k2", as: StripeObjectID.self)
                Issue.record("expected parameter_unknown")
            } catch let error as StripeError {
                #expect(error.code == "parameter_unknown")
                #expect(error.param == "emial")
            }
            do {
                _ = try await client.post("/v1/products", [("active", true)], idempotencyKey: "k3", as: StripeObjectID.self)
                Issue.record("expected parameter_missing")
            } catch let error as StripeError {
                #expect(error.code == "parameter_missing")
            }
            do {
                _ = try await client.get("/v1/subscriptions/sub_nope", as: StripeSubscription.self)
                Issue.record("expected resource_missing")
            } catch let error as StripeError {
                #expect(error.status == 404)
                #expect(error.code == "resource_missing")
            }
            let stranger = StripeClient(secretKey: "sk_test_wrong", apiBase: stripe.url)
            do {
                _ = try await stranger.get("/v1/customers/cus_1", as: StripeObjectID.self)
                Issue.record("expected 401")
            } catch let error as StripeError {
                #expect(error.kind == .authentication)
            }
        }
    }

    @Test("a 500 with Stripe-Should-Retry: true is retried with the same key; the default price cannot be archived")
    func retriesAndPrices() async throws {
        try await Self.withStandIn { stripe, client in
            stripe.injectFailures([.init(status: 500, shouldRetry: true)])
            let calls = StripeCalls(client: client)
            let plan = UUID()
            let product = try await calls.createProduct(planID: plan, name: "Pro")
            #expect(stripe.requests(path: "/v1/products").count == 2, "one failure, one retry")
            #expect(Set(stripe.requests(path: "/v1/products").map(\.idempotencyKey)).count == 1)
            let price = try await calls.createPrice(
                planID: plan, productID: product, previousPriceID: nil, amount: 1900, currency: "USD", period: "monthly")
            try await calls.setDefaultPrice(productID: product, priceID: price)
            await #expect(throws: StripeError.self) { try await calls.archivePrice(price) }
            #expect(stripe.price(price)?.active == true)
            #expect(stripe.price(price)?.currency == "usd")
            #expect(stripe.price(price)?.interval == "month")
        }
    }
}
