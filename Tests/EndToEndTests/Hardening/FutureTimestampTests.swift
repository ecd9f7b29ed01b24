import Foundation
import Testing
import TollgateTestSupport

@Suite("Tokens and signatures from the future are refused")
struct FutureTimestampTests {
    @Test("an access token issued, or valid from, beyond the leeway ahead is refused; within it, accepted")
    func futureTokens() async throws {
        try await TestSystem.with { system in
            let user = try await SessionTests.signIn(system, "marty")
            let forge = try TokenForge(system: system)
            let now = Date()
            var issuedAhead = forge.claims(userID: user.userID, now: now.addingTimeInterval(3600))
            issuedAhead["exp"] = Int(now.timeIntervalSince1970) + 7200
            var notBeforeAhead = forge.claims(userID: user.userID)
            notBeforeAhead["nbf"] = Int(now.timeIntervalSince1970) + 3600
            var slightlyAhead = forge.claims(userID: user.userID, now: now.addingTimeInterval(10))
            slightlyAhead["nbf"] = Int(now.timeIntervalSince1970) + 10
            #expect(try await system.client.get("/me", token: try forge.sign(issuedAhead)).status == 401, "iat an hour ahead")
            #expect(try await system.client.get("/me", token: try forge.sign(notBeforeAhead)).status == 401, "nbf an hour ahead")
            #expect(try await system.client.get("/me", token: try forge.sign(slightlyAhead)).status == 200, "a clock 10 s ahead")
        }
    }

    @Test("a Stripe signature timestamp an hour ahead is refused like one an hour old")
    func futureStripeSignature() async throws {
        try await TestSystem.with { system in
            let now = Int64(Date().timeIntervalSince1970)
            let ahead = try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_f1"), timestamp: now + 3600)
            #expect(ahead.status == 400)
            #expect((ahead.json["detail"] as? String)?.contains("future") == true, "\(ahead.text)")
            let behind = try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_f2"), timestamp: now - 3600)
            #expect(behind.status == 400)
            #expect(try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_f3"), timestamp: now + 60).status == 200)
            #expect(try await StripeWebhookTests.stored(system).count == 1)
        }
    }
}
