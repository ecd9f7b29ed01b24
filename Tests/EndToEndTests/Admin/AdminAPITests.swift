import Foundation
import HTTPTypes
import StripeSandbox
import Testing
import TollgateTestSupport

@Suite("Admin API through the gateway")
struct AdminAPITests {
    /// An admin, and a verified user who subscribed and paid (so every list has rows).
    struct World {
        let admin: String
        let adminID: String
        let user: SessionTests.SignedIn
        let subscriptionID: String
        let paymentID: String
    }

    static func world(_ system: TestSystem, _ stripe: StripeSandbox) async throws -> World {
        let admin = try await BillingTestKit.adminToken(system)
        let adminID = try #require((try await system.client.get("/me", token: admin).json["id"]) as? String)
        let user = try await BillingTestKit.verifiedUser(system, "uli")
        _ = try await SubscriptionFlowTests.subscribeAndPay(system, stripe, user)
        let payment = try await eventually("a payment") { try await BillingTestKit.payments(system, user.token).first }
        let subscription = try await BillingTestKit.subscription(system, user.token, "active") { _ in true }
        return World(
            admin: admin, adminID: adminID, user: user, subscriptionID: try #require(subscription["id"] as? String),
            paymentID: try #require(payment["id"] as? String))
    }

    static func routes(_ world: World) -> [(HTTPRequest.Method, String, [String: Any]?)] {
        let user = world.user.userID
        return [
            (.get, "/dashboard/stats", nil), (.get, "/users?limit=5", nil), (.get, "/users/\(user)", nil),
            (.get, "/users/\(user)/transactions", nil), (.get, "/users/\(user)/subscriptions", nil),
            (.patch, "/users/\(user)/verify", nil), (.patch, "/users/\(user)/role", ["is_admin": false]),
            (.patch, "/users/\(user)/status", ["is_active": true]),
            (.get, "/billing/transactions", nil), (.get, "/billing/transactions/\(world.paymentID)", nil),
            (.get, "/billing/subscriptions", nil), (.get, "/billing/subscriptions/\(world.subscriptionID)", nil),
            (.get, "/admin/audit", nil),
        ]
    }

    @Test("every admin route: 200 for an admin, 403 for a user, 401 for nobody; no answer holds a password hash or a token")
    func guardsAndSecrets() async throws {
        try await BillingTestKit.with { system, stripe in
            let world = try await Self.world(system, stripe)
            let secrets = ["password_hash", "$argon2", world.user.token, world.user.refresh, world.admin]
            for (method, path, body) in Self.routes(world) {
                let asAdmin = try await BillingTestKit.send(system, method, path, json: body, token: world.admin)
                #expect(asAdmin.status == 200, "\(method) \(path): \(asAdmin.text)")
                for secret in secrets { #expect(!asAdmin.text.contains(secret), "\(path) leaks \(secret.prefix(12))") }
                let asUser = try await BillingTestKit.send(system, method, path, json: body, token: world.user.token)
                #expect(asUser.status == 403, "\(method) \(path) as a user")
                #expect(try await BillingTestKit.send(system, method, path, json: body, token: nil).status == 401, "\(path) anonymous")
            }
            #expect(try await system.client.get("/billing/subscriptions/me", token: world.user.token).status == 200, "me still wins")

            let stats = try await system.client.get("/dashboard/stats", token: world.admin).json
            #expect(stats["users"] as? Int == 2)
            #expect(stats["subscriptions"] as? Int == 1)
            #expect(stats["payments"] as? Int == 1)
            let detail = try await system.client.get("/users/\(world.user.userID)", token: world.admin).json
            #expect(detail["subscriptions_count"] as? Int == 1)
            #expect(detail["transactions_count"] as? Int == 1)
            #expect((detail["user"] as? [String: Any])?["email"] as? String == "uli@example.com")
            let sub = try await system.client.get("/billing/subscriptions/\(world.subscriptionID)", token: world.admin).json
            #expect((sub["payments"] as? [[String: Any]])?.count == 1)
            let payment = try await system.client.get("/billing/transactions/\(world.paymentID)", token: world.admin).json
            #expect((payment["subscription"] as? [String: Any])?["id"] as? String == world.subscriptionID)
            #expect(try await system.client.get("/users/\(UUID())", token: world.admin).status == 404)
            #expect(try await system.client.get("/users?limit=0", token: world.admin).status == 422)
            #expect(try await system.client.get("/users?limit=101", token: world.admin).status == 422)
            #expect(try await system.client.get("/billing/transactions?offset=-1", token: world.admin).status == 422)
        }
    }

    @Test("deactivation by an admin reaches the gateway; an admin cannot deactivate or demote themself; a demoted admin's token stops at once")
    func statusAndRole() async throws {
        try await BillingTestKit.with { system, _ in
            let admin = try await BillingTestKit.adminToken(system)
            let adminID = try #require((try await system.client.get("/me", token: admin).json["id"]) as? String)
            let self1 = try await BillingTestKit.send(system, .patch, "/users/\(adminID)/status", json: ["is_active": false], token: admin)
            #expect(self1.status == 400)
            let self2 = try await BillingTestKit.send(system, .patch, "/users/\(adminID)/role", json: ["is_admin": false], token: admin)
            #expect(self2.status == 400)

            let vic = try await SessionTests.signIn(system, "vic")
            let off = try await BillingTestKit.send(system, .patch, "/users/\(vic.userID)/status", json: ["is_active": false], token: admin)
            #expect(off.status == 200)
            #expect(off.json["is_active"] as? Bool == false)
            let started = ContinuousClock.now
            _ = try await eventually("vic refused at the gateway", timeout: .seconds(2)) {
                try await system.client.get("/me", token: vic.token).status == 401 ? true : nil
            }
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(try await SessionTests.refresh(system, vic.refresh).status == 401)

            // A second admin, demoted: the token that says "admin" is refused on the next request.
            let wen = try await SessionTests.signIn(system, "wen")
            #expect(try await BillingTestKit.send(system, .patch, "/users/\(wen.userID)/role", json: ["is_admin": true], token: admin).status == 200)
            let refreshed = try await SessionTests.refresh(system, wen.refresh)
            let wenAdmin = try #require(refreshed.json["token"] as? String)
            #expect(try await system.client.get("/users", token: wenAdmin).status == 200)
            #expect(try await BillingTestKit.send(system, .patch, "/users/\(wen.userID)/role", json: ["is_admin": false], token: admin).status == 200)
            let demotedAt = ContinuousClock.now
            _ = try await eventually("the demoted admin's token refused", timeout: .seconds(2)) {
                try await system.client.get("/users", token: wenAdmin).status == 403 ? true : nil
            }
            #expect(ContinuousClock.now - demotedAt < .seconds(1))
            #expect(try await system.client.get("/me", token: wenAdmin).status == 200, "demoted, not signed out")
            let again = try await SessionTests.refresh(system, try #require(SessionTests.refreshCookie(refreshed)))
            let wenUser = try #require(again.json["token"] as? String)
            #expect(try await system.client.get("/users", token: wenUser).status == 403)
            #expect(try await system.client.get("/me", token: wenUser).status == 200, "still signed in, as a user")
        }
    }

    @Test("the audit timeline: the actions just taken, newest first, from Auth and Billing, filtered by user and action")
    func auditTimeline() async throws {
        try await BillingTestKit.with { system, _ in
            let admin = try await BillingTestKit.adminToken(system)
            let zoe = try await SessionTests.signIn(system, "zoe")
            _ = try await BillingTestKit.send(system, .patch, "/users/\(zoe.userID)/verify", token: admin)
            _ = try await BillingTestKit.send(system, .patch, "/users/\(zoe.userID)/role", json: ["is_admin": true], token: admin)
            let plan = try await BillingTestKit.send(
                system, .post, "/billing/plans", json: ["name": "Gold", "code": "gold", "price_cents": 500, "billing_period": "monthly"],
                token: admin)
            #expect(plan.status == 201)
            _ = try await BillingTestKit.send(system, .patch, "/users/\(zoe.userID)/status", json: ["is_active": false], token: admin)

            let timeline = try await system.client.get("/admin/audit?limit=100", token: admin)
            #expect(timeline.status == 200, "\(timeline.text)")
            let actions = (timeline.json["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            let admins = actions.filter { ["user.update_status", "plan.create", "user.update_role", "user.verify"].contains($0) }
            #expect(admins == ["user.update_status", "plan.create", "user.update_role", "user.verify"], "\(actions)")
            let services = Set((timeline.json["data"] as? [[String: Any]] ?? []).compactMap { $0["service"] as? String })
            #expect(services == ["auth", "billing"])

            let aboutZoe = try await system.client.get("/admin/audit?user_id=\(zoe.userID)&limit=100", token: admin)
            let zoeEntries = aboutZoe.json["data"] as? [[String: Any]] ?? []
            #expect(zoeEntries.allSatisfy { ($0["target_id"] as? String) == zoe.userID || ($0["actor_id"] as? String) == zoe.userID })
            #expect(zoeEntries.contains { $0["action"] as? String == "login.succeeded" })
            let status = try #require(zoeEntries.first { $0["action"] as? String == "user.update_status" })
            #expect(status["before"] as? String == "is_active=true")
            #expect(status["after"] as? String == "is_active=false")
            #expect(status["request_id"] as? String != nil)
            #expect(status["ip"] as? String != nil)

            let onlyRoles = try await system.client.get("/admin/audit?action=user.update_role", token: admin)
            #expect((onlyRoles.json["data"] as? [[String: Any]])?.count == 1)
            #expect(try await system.client.get("/admin/audit?limit=500", token: admin).status == 422)
        }
    }

    @Test("paging walks every user exactly once while users are being added; q and filters narrow the list")
    func stablePaging() async throws {
        try await BillingTestKit.with { system, _ in
            let admin = try await BillingTestKit.adminToken(system)
            for n in 0..<18 {
                _ = try await system.client.post(
                    "/register", json: ["email": "p\(n)@example.com", "username": "pager\(n)", "password": "password-1"])
            }
            let first = try await system.client.get("/users?limit=7", token: admin)
            let asOf = try #require(first.json["as_of"] as? String)
            let total = try #require(first.json["total"] as? Int)
            var seen = (first.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            var next = first.json["next_offset"] as? Int
            var added = 0
            while let offset = next {
                _ = try await system.client.post(
                    "/register", json: ["email": "late\(added)@example.com", "username": "late\(added)", "password": "password-1"])
                added += 1
                let page = try await system.client.get(
                    "/users?limit=7&offset=\(offset)&as_of=\(asOf.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? asOf)",
                    token: admin)
                #expect(page.json["total"] as? Int == total)
                seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                next = page.json["next_offset"] as? Int
            }
            #expect(added >= 2)
            #expect(seen.count == total)
            #expect(Set(seen).count == total, "no row twice")
            #expect(total == 19)

            let search = try await system.client.get("/users?q=PAGER1", token: admin).json
            #expect(search["total"] as? Int == 9, "pager1 and pager10…17")
            let admins = try await system.client.get("/users?is_admin=true", token: admin).json
            #expect(admins["total"] as? Int == 1)
            #expect(try await system.client.get("/users?is_admin=maybe", token: admin).status == 422)
        }
    }
}
