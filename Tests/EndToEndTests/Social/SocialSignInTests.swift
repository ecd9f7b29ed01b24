import FluentKit
import Foundation
import Testing
import TollgatePersistence
import TollgateTestSupport

@Suite("Social sign-in: Google, GitHub and OpenID Connect, without account takeover")
struct SocialSignInTests {
    static func userCount(_ system: TestSystem, email: String) async throws -> Int {
        let database = try system.authDatabase()
        struct Row: Decodable { let n: Int }
        let n = try? await database.sql.raw("SELECT COUNT(*) AS n FROM users WHERE email = \(bind: email)").first(decoding: Row.self)?.n
        await database.shutdown()
        return n ?? -1
    }

    @Test("Google: state cookie, PKCE and nonce; a new verified account signs in; the next sign-in is the same account")
    func google() async throws {
        try await SocialTestKit.with { system, provider in
            let ada = ProviderUser(subject: "g-1001", email: "ada@example.com", name: "Ada Lovelace")
            provider.nextUser(ada, at: "google")
            let back = try await SocialTestKit.goToProvider(system, provider, .google)
            let asked = Dictionary((back.authorizeURL.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
            #expect(asked["code_challenge_method"] == "S256")
            #expect((asked["code_challenge"] ?? "").count == 43)
            #expect((asked["nonce"] ?? "").count >= 32)
            #expect(asked["state"] == back.cookie)
            #expect(asked["scope"]?.contains("openid") == true)

            let signedIn = try await SocialTestKit.callback(system, .google, back)
            #expect(signedIn.status == 200, "\(signedIn.text)")
            let user = try #require(signedIn.json["user"] as? [String: Any])
            #expect(user["provider"] as? String == "google")
            #expect(user["email"] as? String == "ada@example.com")
            let cookies = signedIn.headerValues("Set-Cookie")
            #expect(cookies.contains { $0.hasPrefix("refresh_token=") && $0.contains("HttpOnly") })
            #expect(cookies.contains { $0.hasPrefix("oauth_state_google=;") && $0.contains("Max-Age=0") })
            let token = try #require(signedIn.json["token"] as? String)
            #expect(try await system.client.get("/me", token: token).status == 200)
            let verify = try await system.client.send(.post, "/request/verify", headers: ["Authorization": "Bearer \(token)"])
            #expect(verify.text.lowercased().contains("already"), "Google vouched for the email: \(verify.text)")

            let again = try await SocialTestKit.signIn(system, provider, .google, as: ada, tenant: "google")
            #expect((again.json["user"] as? [String: Any])?["id"] as? String == user["id"] as? String)
        }
    }

    @Test("GitHub: the primary verified address names the account; no verified address → refused, no account")
    func github() async throws {
        try await SocialTestKit.with { system, provider in
            provider.githubEmails([("old@example.com", false, true), ("grace@example.com", true, true)])
            let grace = ProviderUser(subject: "583231", email: "grace@example.com", name: "Grace Hopper", login: "ghopper")
            let signedIn = try await SocialTestKit.signIn(system, provider, .github, as: grace, tenant: "github")
            #expect(signedIn.status == 200, "\(signedIn.text)")
            let user = try #require(signedIn.json["user"] as? [String: Any])
            #expect(user["email"] as? String == "grace@example.com")
            #expect(user["provider"] as? String == "github")
            #expect(user["username"] as? String == "ghopper")

            provider.githubEmails([("nobody@example.com", true, false)])
            let refused = try await SocialTestKit.signIn(
                system, provider, .github, as: ProviderUser(subject: "777", email: "nobody@example.com", login: "nobody"),
                tenant: "github")
            #expect(refused.status == 400)
            #expect((refused.json["detail"] as? String)?.contains("no verified email") == true)
            #expect(try await Self.userCount(system, email: "nobody@example.com") == 0)
        }
    }

    @Test("any OpenID Connect provider by issuer; an unverified provider email makes no account")
    func openIDConnect() async throws {
        try await SocialTestKit.with { system, provider in
            let signedIn = try await SocialTestKit.signIn(
                system, provider, .acme, as: ProviderUser(subject: "acme-7", email: "lin@acme.test"), tenant: "acme")
            #expect(signedIn.status == 200, "\(signedIn.text)")
            #expect((signedIn.json["user"] as? [String: Any])?["email"] as? String == "lin@acme.test")

            let unverified = try await SocialTestKit.signIn(
                system, provider, .acme, as: ProviderUser(subject: "acme-8", email: "max@acme.test", emailVerified: false),
                tenant: "acme")
            #expect(unverified.status == 400)
            #expect(try await Self.userCount(system, email: "max@acme.test") == 0)
            #expect(try await system.client.get("/oidc/nobody/login").status == 404)
        }
    }

    @Test("state: missing or mismatched cookie → 400; a callback replayed → 400; a code used twice → refused by the provider")
    func stateAndReplay() async throws {
        try await SocialTestKit.with { system, provider in
            provider.nextUser(ProviderUser(subject: "g-5", email: "eve@example.com"), at: "google")
            let back = try await SocialTestKit.goToProvider(system, provider, .google)
            let noCookie = try await SocialTestKit.callback(system, .google, back, cookie: "")
            #expect(noCookie.status == 400)
            #expect(noCookie.json["detail"] as? String == "Invalid OAuth callback")
            let forged = try await SocialTestKit.callback(system, .google, back, cookie: "forged-state")
            #expect(forged.status == 400)
            #expect(forged.json["detail"] as? String == "Invalid OAuth state")
            #expect(try await SocialTestKit.callback(system, .google, back).status == 200)
            let replay = try await SocialTestKit.callback(system, .google, back)
            #expect(replay.status == 400)
            #expect(replay.json["detail"] as? String == "Invalid OAuth state", "a used flow is no state of ours any more")

            // A fresh sign-in carrying the old code: the provider refuses it.
            let fresh = try await SocialTestKit.goToProvider(system, provider, .google)
            let reused = try await SocialTestKit.callback(system, .google, fresh, code: back.code)
            #expect(reused.status == 400)
            #expect(reused.json["detail"] as? String == "Google authentication failed")
        }
    }

    @Test("an existing account is linked only when both sides verified the email; never taken over")
    func linking() async throws {
        try await SocialTestKit.with { system, provider in
            // Registered, never verified: a verified Google email is still refused.
            _ = try await system.client.post(
                "/register", json: ["email": "kim@example.com", "username": "kim", "password": "violet-sky-41"])
            let refused = try await SocialTestKit.signIn(
                system, provider, .google, as: ProviderUser(subject: "g-kim", email: "kim@example.com"), tenant: "google")
            #expect(refused.status == 409)
            #expect((refused.json["detail"] as? String)?.contains("not verified") == true)

            // Verified through the emailed link: now the same verified email links to it.
            let link = try await VerificationAndPasswordTests.linkToken(system, "kim@example.com")
            #expect(try await system.client.get("/verify?token=\(link)").status == 202)
            let linked = try await SocialTestKit.signIn(
                system, provider, .google, as: ProviderUser(subject: "g-kim", email: "kim@example.com"), tenant: "google")
            #expect(linked.status == 200, "\(linked.text)")
            let login = try await system.client.post("/login", json: ["email": "kim@example.com", "password": "violet-sky-41"])
            #expect((linked.json["user"] as? [String: Any])?["id"] as? String == (login.json["user"] as? [String: Any])?["id"] as? String)
            #expect((linked.json["user"] as? [String: Any])?["provider"] as? String == "local", "still the same local account")
        }
    }

    @Test("return_to: only allowed origins; the callback then redirects there with the refresh cookie, no token in the URL")
    func returnTo() async throws {
        try await SocialTestKit.with { system, provider in
            let outside = try await system.client.get("/google/login?return_to=https%3A%2F%2Fevil.test%2Fsteal")
            #expect(outside.status == 422)
            let lookalike = try await system.client.get("/google/login?return_to=http%3A%2F%2Fapp.test.evil.test%2F")
            #expect(lookalike.status == 422)

            provider.nextUser(ProviderUser(subject: "g-r", email: "rae@example.com"), at: "google")
            let back = try await SocialTestKit.goToProvider(
                system, provider, .google, query: "?return_to=http%3A%2F%2Fapp.test%2Fdashboard")
            let answer = try await SocialTestKit.callback(system, .google, back)
            #expect(answer.status == 303)
            #expect(answer.header("Location") == "http://app.test/dashboard")
            #expect(answer.headerValues("Set-Cookie").contains { $0.hasPrefix("refresh_token=") })
            #expect(answer.json["token"] == nil)
            let refreshCookie = try #require(
                answer.headerValues("Set-Cookie").first { $0.hasPrefix("refresh_token=") }?.dropFirst(14).prefix { $0 != ";" })
            let refreshed = try await SessionTests.refresh(system, String(refreshCookie))
            #expect(refreshed.status == 200)
        }
    }

    @Test("ID tokens with a wrong audience, expired, signed by another key, with the wrong nonce or issuer are refused", arguments: [
        IDTokenFault.wrongAudience, .expired, .badSignature, .wrongNonce, .wrongIssuer,
    ])
    func badIDTokens(fault: IDTokenFault) async throws {
        try await SocialTestKit.with { system, provider in
            provider.fault(fault)
            let answer = try await SocialTestKit.signIn(
                system, provider, .google, as: ProviderUser(subject: "g-x", email: "x@example.com"), tenant: "google")
            #expect(answer.status == 400, "\(fault): \(answer.text)")
            #expect(answer.json["detail"] as? String == "Google authentication failed", "\(answer.text)")
            #expect(try await Self.userCount(system, email: "x@example.com") == 0)
        }
    }

    @Test("identities: listed; the last way to sign in cannot be unlinked; another one can")
    func identities() async throws {
        try await SocialTestKit.with { system, provider in
            let google = try await SocialTestKit.signIn(
                system, provider, .google, as: ProviderUser(subject: "g-ida", email: "ida@example.com"), tenant: "google")
            let token = try #require(google.json["token"] as? String)
            let listed = try await system.client.get("/me/identities", token: token)
            #expect(listed.jsonArray.map { $0["provider"] as? String } == ["google"])
            let last = try await system.client.send(.delete, "/me/identities/google", headers: ["Authorization": "Bearer \(token)"])
            #expect(last.status == 400)

            provider.githubEmails(nil)
            let github = try await SocialTestKit.signIn(
                system, provider, .github, as: ProviderUser(subject: "4242", email: "ida@example.com", login: "ida"),
                tenant: "github")
            #expect(github.status == 200, "\(github.text)")
            #expect(try await system.client.get("/me/identities", token: token).jsonArray.count == 2)
            let removed = try await system.client.send(.delete, "/me/identities/google", headers: ["Authorization": "Bearer \(token)"])
            #expect(removed.status == 204)
            #expect(try await system.client.get("/me/identities", token: token).jsonArray.map { $0["provider"] as? String } == ["github"])
            let missing = try await system.client.send(.delete, "/me/identities/google", headers: ["Authorization": "Bearer \(token)"])
            #expect(missing.status == 404)
        }
    }
}
