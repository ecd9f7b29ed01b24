import Foundation
import StripeSandbox
import Testing
import TollgateTestSupport

@Suite("Plans: admin CRUD kept in step with Stripe")
struct PlanAdminTests {
    @Test("create makes a Product and a recurring Price; a new amount is a new default Price and the old one is archived; delete archives")
    func crudWithStripeSync() async throws {
        try await BillingTestKit.with { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            let created = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "Team", "code": "team", "price_cents": 4900, "billing_period": "yearly", "currency": "eur", "tier": 2],
                token: admin)
            #expect(created.status == 201, "\(created.text)")
            let plan = created.json
            #expect(plan["code"] as? String == "team")
            #expect(plan["currency"] as? String == "EUR")
            #expect(plan["tier"] as? Int == 2)
            #expect(plan["is_active"] as? Bool == true)
            let planID = try #require(plan["id"] as? String)

            // Stripe got a product and a yearly price of 4900 EUR, set as the product's default.
            let products = stripe.requests(path: "/v1/products").filter { $0.method == "POST" }
            #expect(products.count == 1)
            #expect(products.first?.form["metadata[plan_id]"] == planID)
            let priceRequests = stripe.requests(path: "/v1/prices")
            #expect(priceRequests.first?.form["unit_amount"] == "4900")
            #expect(priceRequests.first?.form["recurring[interval]"] == "year")
            #expect(priceRequests.first?.form["currency"] == "eur")
            #expect(stripe.requests().allSatisfy { $0.stripeVersion == StripeSandbox.apiVersion })
            #expect(stripe.requests().filter { $0.method == "POST" }.allSatisfy { $0.idempotencyKey != nil })

            let listed = try await system.client.get("/billing/plans").jsonArray
            #expect(listed.map { $0["code"] as? String } == ["free", "pro", "team"], "cheapest first")

            // Same code again: 400; bad fields: 422 naming each field.
            let duplicate = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "Team 2", "code": "team", "price_cents": 100, "billing_period": "monthly"], token: admin)
            #expect(duplicate.status == 400)
            #expect(duplicate.json["detail"] as? String == "Existing Code")
            let invalid = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "", "code": "Bad Code", "price_cents": -1, "billing_period": "weekly", "currency": "dollars"],
                token: admin)
            #expect(invalid.status == 422)
            let errors = invalid.json["errors"] as? [String: String] ?? [:]
            #expect(Set(errors.keys) == ["name", "code", "price_cents", "billing_period", "currency"])

            // A new amount: a new price becomes the default, the old one is archived.
            let oldPrice = try #require(stripe.product(try Self.productID(stripe))?.defaultPrice)
            let updated = try await BillingTestKit.send(
                system, .patch, "/billing/plans/\(planID)", json: ["price_cents": 5900, "name": "Team+"], token: admin)
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json["price_cents"] as? Int == 5900)
            let product = try #require(stripe.product(try Self.productID(stripe)))
            #expect(product.name == "Team+")
            let newPrice = try #require(product.defaultPrice)
            #expect(newPrice != oldPrice)
            #expect(stripe.price(newPrice)?.amount == 5900)
            #expect(stripe.price(newPrice)?.active == true)
            #expect(stripe.price(oldPrice)?.active == false, "the old price is archived")

            // Soft delete: 204, gone from the list, still readable, product archived; again: 400.
            let deleted = try await BillingTestKit.send(system, .delete, "/billing/plans/\(planID)", token: admin)
            #expect(deleted.status == 204)
            #expect(try await system.client.get("/billing/plans").jsonArray.count == 2)
            #expect(try await system.client.get("/billing/plans/\(planID)").json["is_active"] as? Bool == false)
            #expect(stripe.product(try Self.productID(stripe))?.active == false)
            let again = try await BillingTestKit.send(system, .delete, "/billing/plans/\(planID)", token: admin)
            #expect(again.status == 400)
            let missing = try await BillingTestKit.send(system, .patch, "/billing/plans/\(UUID())", json: ["name": "x"], token: admin)
            #expect(missing.status == 404)
        }
    }

    @Test("ten identical PATCHes at once (a new price, features, limits): ten 200s, one new Stripe price as the default, the old one archived",
          arguments: DatabaseEngine.available)
    func tenPatchesAtOnce(engine: DatabaseEngine) async throws {
        try await BillingTestKit.with(engine: engine) { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            let created = try await BillingTestKit.send(
                system, .post, "/billing/plans", json: ["name": "Team", "code": "team", "price_cents": 4900, "billing_period": "monthly"],
                token: admin)
            let planID = try #require(created.json["id"] as? String)
            let product = try Self.productID(stripe)
            let oldPrice = try #require(stripe.product(product)?.defaultPrice)
            let answers = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await BillingTestKit.send(
                            system, .patch, "/billing/plans/\(planID)",
                            json: ["price_cents": 5900, "features": ["reports"], "limits": ["api_calls": 1000]], token: admin)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.map(\.status) == Array(repeating: 200, count: 10), "\(answers.map(\.text))")
            #expect(answers.allSatisfy { $0.json["price_cents"] as? Int == 5900 && $0.json["features"] as? [String] == ["reports"] })
            let prices = stripe.priceIDs(product: product)
            #expect(prices.count == 2, "one new price, not one per request: \(prices)")
            let newPrice = try #require(stripe.product(product)?.defaultPrice)
            #expect(newPrice != oldPrice && prices.contains(newPrice))
            #expect(stripe.price(newPrice)?.amount == 5900)
            #expect(stripe.price(oldPrice)?.active == false)
            let plan = try await system.client.get("/billing/plans/\(planID)").json
            #expect(plan["price_cents"] as? Int == 5900)
            #expect(plan["limits"] as? [String: Int] == ["api_calls": 1000])
        }
    }

    @Test("plan administration is for admins: a user gets 403, nobody 401")
    func adminOnly() async throws {
        try await BillingTestKit.with { system, _ in
            let user = try await SessionTests.signIn(system, "nadia")
            let body: [String: Any] = ["name": "X", "code": "x", "price_cents": 1, "billing_period": "monthly"]
            let refused = try await BillingTestKit.send(system, .post, "/billing/plans", json: body, token: user.token)
            #expect(refused.status == 403)
            #expect(refused.json["detail"] as? String == "User does not have admin privileges")
            #expect(try await BillingTestKit.send(system, .post, "/billing/plans", json: body, token: nil).status == 401)
            let plan = try #require(try await system.client.get("/billing/plans").jsonArray.first?["id"] as? String)
            #expect(try await BillingTestKit.send(system, .delete, "/billing/plans/\(plan)", token: user.token).status == 403)
        }
    }

    /// The one product the stand-in has.
    static func productID(_ stripe: StripeSandbox) throws -> String {
        try #require(stripe.productIDs().first)
    }

    @Test("a price Stripe refuses leaves nothing behind: no plan here, and the product made for it is archived")
    func refusedPrice() async throws {
        try await BillingTestKit.with { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            stripe.injectFailures([.init(status: 400, code: "parameter_invalid_integer", path: "/v1/prices")])
            let refused = try await BillingTestKit.send(
                system, .post, "/billing/plans",
                json: ["name": "Gold", "code": "gold", "price_cents": 5000, "billing_period": "monthly"], token: admin)
            #expect(refused.status == 502, "\(refused.text)")
            #expect(!(try await system.client.get("/billing/plans").jsonArray.contains { $0["code"] as? String == "gold" }))
            let products = stripe.productIDs()
            #expect(products.count == 1, "the product made before the price was refused")
            #expect(products.allSatisfy { stripe.product($0)?.active == false }, "archived")
        }
    }
}
