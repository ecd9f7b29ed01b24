import Foundation

/// Sign-in with GitHub (OAuth 2, not OpenID Connect): the code exchanged with PKCE, then the user
/// and its email addresses from the REST API; only the primary address GitHub has verified counts.
struct GitHubProvider: Sendable {
    let provider: SocialProvider
    let authorizeURL: String
    let tokenURL: String
    let apiURL: String
    let http: ProviderHTTP

    private struct TokenAnswer: Decodable {
        let access_token: String?
        let error: String?
    }

    private struct User: Decodable {
        let id: Int64
        let login: String
        let name: String?
    }

    struct Email: Decodable, Equatable {
        let email: String
        let primary: Bool
        let verified: Bool
    }

    func authorizationURL(for flow: OAuthFlow) -> String {
        AuthorizationURL.make(
            authorizeURL,
            [
                ("client_id", provider.clientID), ("redirect_uri", provider.redirectURI), ("scope", "read:user user:email"),
                ("state", flow.state), ("code_challenge", flow.codeChallenge), ("code_challenge_method", "S256"),
                ("allow_signup", "true"),
            ])
    }

    func profile(code: String, flow: OAuthFlow) async throws -> ProviderProfile {
        // GitHub answers a refused code with 200 and an `error` field.
        let answer = try await http.postForm(
            tokenURL,
            [
                ("client_id", provider.clientID), ("client_secret", provider.clientSecret), ("code", code),
                ("redirect_uri", provider.redirectURI), ("code_verifier", flow.codeVerifier),
            ], as: TokenAnswer.self)
        guard let token = answer.access_token else {
            throw ProviderHTTP.ProviderError(description: "GitHub refused the code: \(answer.error ?? "no token")")
        }
        let base = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        let user = try await http.getJSON(base + "/user", bearer: token, as: User.self)
        let emails = try await http.getJSON(base + "/user/emails", bearer: token, as: [Email].self)
        let chosen = Self.verifiedPrimary(emails)
        let names = (user.name ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return ProviderProfile(
            subject: String(user.id), verifiedEmail: chosen, unverifiedEmail: chosen == nil ? emails.first?.email : nil,
            preferredUsername: user.login, givenName: names.first, familyName: names.count > 1 ? names[1] : nil)
    }

    /// The primary address if GitHub verified it; no other address is trusted to name the account.
    static func verifiedPrimary(_ emails: [Email]) -> String? {
        emails.first { $0.primary && $0.verified }?.email
    }
}
