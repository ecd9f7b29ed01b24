import Foundation
import Testing
import TollgateTestSupport
import WebhookService

@Suite("Every answer carries the usual security headers")
struct ResponseHeaderTests {
    static func expectSecurityHeaders(_ response: HTTPResult, _ what: String, hsts: Bool = false) {
        #expect(response.header("X-Content-Type-Options") == "nosniff", "\(what)")
        #expect(response.header("Referrer-Policy") == "no-referrer", "\(what)")
        #expect(response.header("Cache-Control") == "no-store", "\(what)")
        #expect((response.header("Strict-Transport-Security") != nil) == hsts, "\(what)")
        if !response.body.isEmpty {
            #expect(response.header("Content-Type") == "application/json; charset=utf-8", "\(what)")
        }
    }

    @Test("gateway answers (the service's, the gateway's own refusals) and the Webhook's: nosniff, no-referrer, no-store, UTF-8 JSON")
    func headers() async throws {
        try await TestSystem.with { system in
            let ann = try await SessionTests.signIn(system, "ann")
            let login = try await system.client.post("/login", json: ["email": "ann@example.com", "password": "password-1"])
            Self.expectSecurityHeaders(login, "login (a token)")
            Self.expectSecurityHeaders(try await system.client.get("/me", token: ann.token), "me (account data)")
            Self.expectSecurityHeaders(try await system.client.get("/me"), "401 from the gateway")
            Self.expectSecurityHeaders(try await system.client.get("/nowhere"), "404 from the gateway")
            Self.expectSecurityHeaders(try await system.client.get("/healthz"), "health")
            Self.expectSecurityHeaders(
                try await system.client.post("/login", json: ["email": "ann@example.com"]), "422 from the service")
            let webhook = try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_h1"))
            #expect(webhook.status == 200)
            Self.expectSecurityHeaders(webhook, "webhook")
            let refused = try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_h2"), secret: "whsec_wrong")
            Self.expectSecurityHeaders(refused, "webhook refusal")
        }
    }

    @Test("Strict-Transport-Security when the public URL is https")
    func hsts() async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_PUBLIC_URL"] = "https://app.example.com"
        try await TestSystem.with(options) { system in
            let answer = try await system.client.get("/billing/plans")
            Self.expectSecurityHeaders(answer, "plans", hsts: true)
            #expect(answer.header("Strict-Transport-Security")?.hasPrefix("max-age=") == true)
            Self.expectSecurityHeaders(
                try await StripeWebhookTests.post(system, StripeWebhookTests.event("evt_h3")), "webhook", hsts: true)
        }
    }
}
