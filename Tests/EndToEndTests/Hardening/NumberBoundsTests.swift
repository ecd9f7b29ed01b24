import Foundation
import Testing
import TollgateTestSupport

@Suite("Numbers from clients at their extremes are 422s, never a stopped process")
struct NumberBoundsTests {
    static let extremes = ["9223372036854775807", "-9223372036854775808", "-1", "1e3", "abc", "", "99999999999999999999"]

    @Test("offsets and limits of every admin list; as_of out of range; the services keep answering")
    func pages() async throws {
        try await TestSystem.with { system in
            let admin = try await BillingTestKit.adminToken(system)
            let lists = ["/users", "/billing/transactions", "/billing/subscriptions", "/admin/audit"]
            for list in lists {
                for value in Self.extremes {
                    let offset = try await system.client.get("\(list)?offset=\(value)", token: admin)
                    #expect(offset.status == 422, "\(list) offset=\(value): \(offset.text)")
                    #expect((offset.json["errors"] as? [String: String])?["offset"] != nil, "\(list) offset=\(value)")
                    let limit = try await system.client.get("\(list)?limit=\(value)", token: admin)
                    #expect(limit.status == 422, "\(list) limit=\(value)")
                }
                for value in ["0", "101"] {
                    #expect(try await system.client.get("\(list)?limit=\(value)", token: admin).status == 422, "\(list) limit=\(value)")
                }
                for value in ["99999-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "yesterday"] {
                    #expect(try await system.client.get("\(list)?as_of=\(value)", token: admin).status == 422, "\(list) as_of=\(value)")
                }
                // The merged timeline reads every row before the page, so it stops at 10,000.
                let largest = list == "/admin/audit" ? 9_900 : 1_000_000_000
                let farthest = try await system.client.get("\(list)?offset=\(largest)&limit=100", token: admin)
                #expect(farthest.status == 200, "\(list): the largest offset is a page like any other")
                #expect((farthest.json["data"] as? [Any])?.isEmpty == true)
                #expect(farthest.json["prev_offset"] as? Int == largest - 100)
            }
            // The audit's action filter with NUL (schemathesis found a 503: Billing refused it, Auth took
            // that for Billing being down): 422, as NUL in a body is; other control characters match
            // nothing.
            for action in ["%00%00%40w%22%C2%9B%28%C2%B0", "%00", "a%00"] {
                let refused = try await system.client.get("/admin/audit?action=\(action)", token: admin)
                #expect(refused.status == 422, "action=\(action): \(refused.text)")
                #expect((refused.json["errors"] as? [String: String])?["action"] == "Strings may not contain NUL characters")
            }
            let badName = try await system.client.get("/users?%00=1", token: admin)
            #expect(badName.status == 422, "\(badName.text)")
            #expect((badName.json["errors"] as? [String: String])?["query"] != nil)
            for action in ["%C2%9B", "%7F", "%EF%BF%BF", "a%0Ab", "%01"] {
                let filtered = try await system.client.get("/admin/audit?action=\(action)", token: admin)
                #expect(filtered.status == 200, "action=\(action): \(filtered.text)")
                #expect((filtered.json["data"] as? [Any])?.isEmpty == true, "action=\(action)")
            }
            #expect(try await system.client.get("/users", token: admin).status == 200, "Auth still answers")
            #expect(try await system.client.get("/billing/transactions", token: admin).status == 200, "Billing still answers")
        }
    }

    @Test("plan amounts and tiers at their extremes, and currencies outside ISO 4217, are 422 with the field named")
    func planNumbers() async throws {
        try await TestSystem.with { system in
            let admin = try await BillingTestKit.adminToken(system)
            let base: [String: Any] = ["name": "Huge", "code": "huge", "billing_period": "monthly", "currency": "USD"]
            let cases: [(String, Any)] = [
                ("price_cents", Int64.max), ("price_cents", -1), ("price_cents", "12"), ("price_cents", 1.5),
                ("tier", Int64.max), ("tier", -1), ("tier", 99), ("currency", "XYZ"), ("currency", "XAU"), ("currency", "€"),
            ]
            for (field, value) in cases {
                var body = base.merging(["price_cents": 100, "tier": 1]) { a, _ in a }
                body[field] = value
                let answer = try await BillingTestKit.send(system, .post, "/billing/plans", json: body, token: admin)
                #expect(answer.status == 422, "\(field)=\(value): \(answer.text)")
                // Foundation refuses a fraction for an integer before it can name the field.
                let named = value is Double ? "body" : field
                #expect((answer.json["errors"] as? [String: String])?[named] != nil, "\(field)=\(value): \(answer.text)")
            }
            let overflow = try await system.client.send(
                .post, "/billing/plans", headers: ["Authorization": "Bearer \(admin)"],
                body: Data(#"{"name":"Huge","code":"huge","billing_period":"monthly","price_cents":99999999999999999999999}"#.utf8))
            #expect(overflow.status == 422, "\(overflow.text)")
            #expect(try await system.client.get("/billing/plans").status == 200)
        }
    }
}
