import Foundation
import Testing

@testable import AuthService

@Suite("Social sign-in rules")
struct SocialSignInRulesTests {
    @Test("PKCE S256 as RFC 7636 appendix B computes it")
    func pkce() {
        let flow = OAuthFlow(
            state: "s", provider: "google", codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", nonce: "n", returnTo: nil)
        #expect(flow.codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("return_to: exact origin (scheme, host, port); no look-alikes, credentials or other schemes", arguments: [
        ("http://app.test/dashboard", true), ("http://APP.test/x?y=1", true), ("https://app.test/", false),
        ("http://app.test:8080/", false), ("http://app.test.evil.test/", false), ("http://user@app.test/", false),
        ("javascript:alert(1)", false), ("//app.test/", false), ("", false),
    ])
    func returnAddress(url: String, allowed: Bool) {
        #expect(ReturnAddress.isAllowed(url, origins: ["http://app.test"]) == allowed)
    }

    @Test("GitHub: only a primary address GitHub verified counts")
    func githubEmail() {
        typealias Email = GitHubProvider.Email
        #expect(GitHubProvider.verifiedPrimary([Email(email: "a@x", primary: false, verified: true), Email(email: "b@x", primary: true, verified: true)]) == "b@x")
        #expect(GitHubProvider.verifiedPrimary([Email(email: "a@x", primary: true, verified: false), Email(email: "b@x", primary: false, verified: true)]) == nil)
        #expect(GitHubProvider.verifiedPrimary([]) == nil)
    }

    @Test("configuration: providers from their variables; missing secrets and bad names are named")
    func configuration() throws {
        let config = try AuthConfig.from([
            "TOLLGATE_GOOGLE_CLIENT_ID": "g", "TOLLGATE_GOOGLE_CLIENT_SECRET": "gs",
            "TOLLGATE_OIDC_PROVIDERS": "corp", "TOLLGATE_OIDC_CORP_ISSUER": "https://id.corp.test",
            "TOLLGATE_OIDC_CORP_CLIENT_ID": "c", "TOLLGATE_OIDC_CORP_CLIENT_SECRET": "cs",
            "TOLLGATE_OAUTH_RETURN_ORIGINS": "https://app.corp.test",
        ]).social
        #expect(config.providers.map(\.name) == ["google", "corp"])
        #expect(config.provider("google")?.kind == .openIDConnect(issuer: "https://accounts.google.com"))
        #expect(config.provider("google")?.redirectURI == "http://localhost:8080/auth/social/callback/google")
        #expect(config.provider("corp")?.redirectURI == "http://localhost:8080/oidc/corp/callback")
        #expect(config.provider("corp")?.userProvider == "oidc")
        #expect(config.provider("github") == nil)
        do {
            _ = try AuthConfig.from([
                "TOLLGATE_GITHUB_CLIENT_ID": "x", "TOLLGATE_OIDC_PROVIDERS": "Bad Name,google",
                "TOLLGATE_OAUTH_RETURN_ORIGINS": "https://app.test/path",
            ])
            Issue.record("expected a configuration error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("TOLLGATE_GITHUB_CLIENT_SECRET"))
            #expect(text.contains("Bad Name"))
            #expect(text.contains("\"google\""))
            #expect(text.contains("https://app.test/path"))
        }
    }
}
