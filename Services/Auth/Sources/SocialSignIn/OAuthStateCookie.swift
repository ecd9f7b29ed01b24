/// The cookie that ties a provider's callback to the browser that started the sign-in: the
/// contract's `oauth_state_google` / `oauth_state_github` (`oauth_state_oidc_<name>` for others),
/// httpOnly, SameSite=Lax (sent on the provider's top-level redirect back), ten minutes.
struct OAuthStateCookie: Sendable {
    let secure: Bool
    let maxAgeSeconds: Int64 = 600

    static func name(for provider: String) -> String {
        provider == "google" || provider == "github" ? "oauth_state_\(provider)" : "oauth_state_oidc_\(provider)"
    }

    func setting(_ state: String, provider: String) -> String {
        HttpOnlyCookie.header(name: Self.name(for: provider), value: state, maxAgeSeconds: maxAgeSeconds, secure: secure)
    }

    func clearing(provider: String) -> String {
        HttpOnlyCookie.header(name: Self.name(for: provider), value: "", maxAgeSeconds: 0, secure: secure)
    }
}
