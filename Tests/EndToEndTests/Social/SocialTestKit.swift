import Foundation
import Testing
import TollgateTestSupport

/// A system whose Auth knows three providers, all played by one stand-in: Google and `acme` (OpenID
/// Connect tenants) and GitHub. Redirect URIs name the frontend (`http://app.test`); tests carry the
/// code from the provider's redirect to the gateway's callback as a browser would.
enum SocialTestKit {
    static let frontend = "http://app.test"

    static func with(_ body: (TestSystem, OAuthProviderStandIn) async throws -> Void) async throws {
        let provider = try await OAuthProviderStandIn.start()
        provider.register(clientID: "google-client", secret: "google-secret", redirectURI: "\(frontend)/auth/social/callback/google")
        provider.register(clientID: "github-client", secret: "github-secret", redirectURI: "\(frontend)/auth/social/callback/github")
        provider.register(clientID: "acme-client", secret: "acme-secret", redirectURI: "\(frontend)/oidc/acme/callback")
        var options = TestSystem.Options()
        options.environment = [
            "TOLLGATE_GOOGLE_CLIENT_ID": "google-client", "TOLLGATE_GOOGLE_CLIENT_SECRET": "google-secret",
            "TOLLGATE_GOOGLE_ISSUER": provider.issuer("google"),
            "TOLLGATE_GOOGLE_REDIRECT_URI": "\(frontend)/auth/social/callback/google",
            "TOLLGATE_GITHUB_CLIENT_ID": "github-client", "TOLLGATE_GITHUB_CLIENT_SECRET": "github-secret",
            "TOLLGATE_GITHUB_AUTHORIZE_URL": provider.githubAuthorizeURL, "TOLLGATE_GITHUB_TOKEN_URL": provider.githubTokenURL,
            "TOLLGATE_GITHUB_API_URL": provider.githubAPIURL,
            "TOLLGATE_GITHUB_REDIRECT_URI": "\(frontend)/auth/social/callback/github",
            "TOLLGATE_OIDC_PROVIDERS": "acme", "TOLLGATE_OIDC_ACME_ISSUER": provider.issuer("acme"),
            "TOLLGATE_OIDC_ACME_CLIENT_ID": "acme-client", "TOLLGATE_OIDC_ACME_CLIENT_SECRET": "acme-secret",
            "TOLLGATE_OIDC_ACME_REDIRECT_URI": "\(frontend)/oidc/acme/callback",
            "TOLLGATE_OAUTH_RETURN_ORIGINS": frontend,
        ]
        do {
            try await TestSystem.with(options) { system in try await body(system, provider) }
        } catch {
            await provider.stop()
            throw error
        }
        await provider.stop()
    }

    /// The routes of one provider.
    struct Routes {
        let login: String
        let callback: String
        let cookie: String

        static let google = Routes(login: "/google/login", callback: "/auth/social/callback/google", cookie: "oauth_state_google")
        static let github = Routes(login: "/github/login", callback: "/auth/social/callback/github", cookie: "oauth_state_github")
        static let acme = Routes(login: "/oidc/acme/login", callback: "/oidc/acme/callback", cookie: "oauth_state_oidc_acme")
    }

    /// What the browser holds after the provider sent it back: the code, the state, the cookie.
    struct Return {
        let code: String
        let state: String
        let cookie: String
        let authorizeURL: URLComponents
    }

    /// `GET login` → the provider's page (consent given) → its redirect back, not yet followed.
    static func goToProvider(
        _ system: TestSystem, _ provider: OAuthProviderStandIn, _ routes: Routes, query: String = ""
    ) async throws -> Return {
        let login = try await system.client.get(routes.login + query)
        #expect(login.status == 307, "\(login.text)")
        let location = try #require(login.header("Location"))
        let cookie = try #require(
            login.headerValues("Set-Cookie").first { $0.hasPrefix(routes.cookie + "=") }?
                .dropFirst(routes.cookie.count + 1).prefix { $0 != ";" })
        let authorize = try #require(URLComponents(string: location))
        let consent = try await GatewayClient(port: provider.port).get(
            authorize.percentEncodedPath + "?" + (authorize.percentEncodedQuery ?? ""))
        #expect(consent.status == 302, "\(consent.text)")
        let back = try #require(consent.header("Location").flatMap(URLComponents.init(string:)))
        let items = Dictionary((back.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        return Return(code: items["code"] ?? "", state: items["state"] ?? "", cookie: String(cookie), authorizeURL: authorize)
    }

    static func callback(_ system: TestSystem, _ routes: Routes, _ back: Return, cookie: String? = nil, code: String? = nil)
        async throws -> HTTPResult
    {
        let query = "?code=\(code ?? back.code)&state=\(back.state)"
        let value = cookie ?? back.cookie
        return try await system.client.get(routes.callback + query, headers: value.isEmpty ? [:] : ["Cookie": "\(routes.cookie)=\(value)"])
    }

    /// A whole sign-in with `user` at the provider.
    static func signIn(
        _ system: TestSystem, _ provider: OAuthProviderStandIn, _ routes: Routes, as user: ProviderUser, tenant: String
    ) async throws -> HTTPResult {
        provider.nextUser(user, at: tenant)
        let back = try await goToProvider(system, provider, routes)
        return try await callback(system, routes, back)
    }
}
