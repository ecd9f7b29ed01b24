import Foundation
import Testing
import TollgateTestSupport

@Suite("Refused admin requests are audited")
struct AdminRefusalAuditTests {
    @Test("a user refused an admin route leaves an audit row with who, which route and from where")
    func audited() async throws {
        try await TestSystem.with { system in
            let admin = try await BillingTestKit.adminToken(system)
            let user = try await SessionTests.signIn(system, "mallory")
            #expect(try await system.client.get("/users?limit=5", token: user.token).status == 403)
            #expect(try await BillingTestKit.send(system, .patch, "/users/\(user.userID)/role", json: ["is_admin": true], token: user.token).status == 403)
            let rows = try await eventually("two refusals in the audit log") { () -> [[String: Any]]? in
                let page = try await system.client.get("/admin/audit?action=admin.access_refused", token: admin)
                let data = page.json["data"] as? [[String: Any]] ?? []
                return data.count == 2 ? data : nil
            }
            let details = rows.compactMap { $0["after"] as? String }.sorted()
            #expect(details == ["route=GET /users", "route=PATCH /users/\(user.userID)/role"])
            for row in rows {
                #expect(row["actor_id"] as? String == user.userID, "\(row)")
                #expect(row["request_id"] as? String != nil, "\(row)")
                #expect(row["ip"] as? String == "127.0.0.1", "\(row)")
            }
        }
    }
}
