import Foundation
import Testing
import TollgateTestSupport

/// The starter's statuses and words (CONTRACT.md, "The starter's messages"), which its frontends
/// show and branch on.
@Suite("The starter's messages, word for word")
struct StarterMessagesTests {
    static func expect(_ answer: HTTPResult, _ status: Int, detail: String, _ what: String) {
        #expect(answer.status == status, "\(what): \(answer.text)")
        #expect(answer.json["detail"] as? String == detail, "\(what): \(answer.text)")
    }

    @Test("accounts: taken names, a disabled user, bad and expired tokens, refresh, passwords, verification, codes")
    func accounts() async throws {
        try await TestSystem.with { system in
            let kit = try await SessionTests.signIn(system, "kit")
            Self.expect(
                try await system.client.post("/register", json: ["email": "kit@example.com", "username": "kit2", "password": "password-1"]),
                400, detail: "Email already exists", "email taken")
            Self.expect(
                try await system.client.post("/register", json: ["email": "kit2@example.com", "username": "KIT", "password": "password-1"]),
                400, detail: "Username already exists", "username taken")

            Self.expect(try await system.client.get("/me", token: "not.a.token"), 401, detail: "Invalid token", "bad token")
            let forge = try TokenForge(system: system)
            var expired = forge.claims(userID: kit.userID, now: Date().addingTimeInterval(-3600))
            expired["exp"] = Int(Date().timeIntervalSince1970) - 600
            Self.expect(try await system.client.get("/me", token: try forge.sign(expired)), 401, detail: "Token expired", "expired token")
            Self.expect(try await SessionTests.refresh(system, "made-up"), 401, detail: "Invalid token", "unknown refresh token")

            let wrongOld = try await system.client.post(
                "/change-password", json: ["old_password": "nope-nope-1", "new_password": "amber-lantern-7"], token: kit.token)
            Self.expect(wrongOld, 403, detail: "Old password isn't correct.", "wrong old password")
            let changed = try await system.client.post(
                "/change-password", json: ["old_password": "password-1", "new_password": "amber-lantern-7"], token: kit.token)
            #expect(changed.status == 200)
            #expect(changed.json["message"] as? String == "Password has been changed successfully")

            let request = try await system.client.send(.post, "/request/verify", headers: ["Authorization": "Bearer \(kit.token)"])
            #expect(request.status == 202)
            #expect(request.json["message"] as? String == "New Verification Email has been sent")
            let link = try await VerificationAndPasswordTests.linkToken(system, "kit@example.com")
            #expect(try await system.client.get("/verify?token=\(link)").status == 202)
            let again = try await system.client.get("/verify?token=\(link)")
            #expect(again.status == 202)
            #expect(again.json["message"] as? String == "Email is already Verified")

            let code = try await system.client.post("/request/login-code", json: ["email": "kit@example.com"])
            let unknown = try await system.client.post("/request/login-code", json: ["email": "nobody@example.com"])
            #expect(code.status == 200)
            #expect((code.json["message"] as? String)?.contains("login code") == true)
            #expect(unknown.text == code.text)
            Self.expect(
                try await system.client.post("/login/code", json: ["email": "kit@example.com", "code": "000000"]), 400,
                detail: "Invalid code or email.", "wrong code")
            Self.expect(
                try await system.client.post("/login/code", json: ["email": "nobody@example.com", "code": "000000"]), 400,
                detail: "Invalid code or email.", "no code requested")

            #expect(try await system.client.send(.post, "/deactivate", headers: ["Authorization": "Bearer \(kit.token)"]).status == 202)
            Self.expect(
                try await system.client.post("/login", json: ["email": "kit@example.com", "password": "amber-lantern-7"]), 403,
                detail: "User is disabled", "a disabled user's right password")
        }
    }

    @Test("plans and subscriptions")
    func billing() async throws {
        try await BillingTestKit.with { system, stripe in
            let admin = try await BillingTestKit.adminToken(system)
            let team: [String: Any] = ["name": "Team", "code": "team", "price_cents": 4900, "billing_period": "monthly"]
            let created = try await BillingTestKit.send(system, .post, "/billing/plans", json: team, token: admin)
            let teamID = try #require(created.json["id"] as? String)
            Self.expect(try await BillingTestKit.send(system, .post, "/billing/plans", json: team, token: admin), 400, detail: "Existing Code", "code taken")
            Self.expect(try await system.client.get("/billing/plans/\(UUID())"), 404, detail: "No plan found for this id", "no plan")
            #expect(try await BillingTestKit.send(system, .delete, "/billing/plans/\(teamID)", token: admin).status == 204)
            Self.expect(
                try await BillingTestKit.send(system, .delete, "/billing/plans/\(teamID)", token: admin), 400,
                detail: "Plan already deleted.", "deleted twice")

            let lou = try await BillingTestKit.verifiedUser(system, "lou")
            Self.expect(
                try await system.client.get("/billing/subscriptions/me", token: lou.token), 404,
                detail: "No active subscription found for this user.", "no subscription")
            Self.expect(
                try await BillingTestKit.send(system, .post, "/billing/subscriptions/subscribe", json: ["plan_code": "gold"], token: lou.token),
                404, detail: "No active plan found for this code.", "unknown plan")
            Self.expect(
                try await BillingTestKit.send(system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "pro"], token: lou.token),
                404, detail: "No active subscription to upgrade.", "nothing to upgrade")
            _ = try await SubscriptionFlowTests.subscribeAndPay(system, stripe, lou)
            Self.expect(
                try await BillingTestKit.send(system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "pro"], token: lou.token),
                400, detail: "You are already on this plan.", "same plan")
            Self.expect(
                try await BillingTestKit.send(system, .post, "/billing/subscriptions/upgrade", json: ["plan_code": "gold"], token: lou.token),
                404, detail: "Plan not found.", "upgrade to an unknown plan")
        }
    }
}
