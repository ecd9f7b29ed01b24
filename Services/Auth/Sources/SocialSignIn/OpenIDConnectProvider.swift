import Foundation
import JWTKit
import Synchronization

/// Sign-in with an OpenID Connect provider (Google included): endpoints from the issuer's
/// discovery document, the code exchanged with PKCE, and the user taken from the validated ID token.
struct OpenIDConnectProvider: Sendable {
    let provider: SocialProvider
    let issuer: String
    let http: ProviderHTTP
    let cache: OpenIDMetadataCache

    struct Discovery: Decodable, Sendable {
        let issuer: String
        let authorization_endpoint: String
        let token_endpoint: String
        let jwks_uri: String
        let userinfo_endpoint: String?
    }

    private struct TokenAnswer: Decodable {
        let access_token: String?
        let id_token: String?
    }

    func authorizationURL(for flow: OAuthFlow) async throws -> String {
        let discovery = try await metadata().discovery
        return AuthorizationURL.make(
            discovery.authorization_endpoint,
            [
                ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", provider.redirectURI),
                ("scope", "openid email profile"), ("state", flow.state), ("nonce", flow.nonce),
                ("code_challenge", flow.codeChallenge), ("code_challenge_method", "S256"),
            ])
    }

    func profile(code: String, flow: OAuthFlow) async throws -> ProviderProfile {
        let metadata = try await metadata()
        let answer = try await http.postForm(
            metadata.discovery.token_endpoint,
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", provider.redirectURI),
                ("client_id", provider.clientID), ("client_secret", provider.clientSecret),
                ("code_verifier", flow.codeVerifier),
            ], as: TokenAnswer.self)
        guard let idToken = answer.id_token else { throw ProviderHTTP.ProviderError(description: "no id_token in the token answer") }
        let claims: IDTokenClaims
        do {
            claims = try await IDTokenValidator.validate(
                idToken, keys: metadata.keys, issuer: metadata.discovery.issuer, clientID: provider.clientID, nonce: flow.nonce)
        } catch .signature {
            // The provider may have rotated its keys since they were read: read them once more.
            let fresh = try await self.metadata(refresh: true)
            claims = try await IDTokenValidator.validate(
                idToken, keys: fresh.keys, issuer: fresh.discovery.issuer, clientID: provider.clientID, nonce: flow.nonce)
        }
        let verified = claims.emailVerified?.value == true
        return ProviderProfile(
            subject: claims.sub.value, verifiedEmail: verified ? claims.email : nil,
            unverifiedEmail: verified ? nil : claims.email, preferredUsername: claims.preferredUsername,
            givenName: claims.givenName, familyName: claims.familyName)
    }

    private func metadata(refresh: Bool = false) async throws -> OpenIDMetadataCache.Entry {
        if !refresh, let entry = cache.entry(issuer) { return entry }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discovery = try await http.getJSON(base + "/.well-known/openid-configuration", as: Discovery.self)
        guard discovery.issuer == issuer || discovery.issuer == base else {
            throw ProviderHTTP.ProviderError(description: "discovery names issuer \(discovery.issuer), expected \(issuer)")
        }
        let jwks = try await http.getJSON(discovery.jwks_uri, as: JWKS.self)
        let keys = JWTKeyCollection()
        try await keys.add(jwks: jwks)
        let entry = OpenIDMetadataCache.Entry(discovery: discovery, keys: keys, readAt: Date())
        cache.store(entry, for: issuer)
        return entry
    }
}

/// Discovery documents and signing keys by issuer, kept for ten minutes.
final class OpenIDMetadataCache: Sendable {
    struct Entry: Sendable {
        let discovery: OpenIDConnectProvider.Discovery
        let keys: JWTKeyCollection
        let readAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: TimeInterval = 600

    func entry(_ issuer: String, now: Date = Date()) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[issuer], now.timeIntervalSince(entry.readAt) < lifetime else { return nil }
            return entry
        }
    }

    func store(_ entry: Entry, for issuer: String) {
        entries.withLock { $0[issuer] = entry }
    }
}

enum AuthorizationURL {
    static func make(_ endpoint: String, _ parameters: [(String, String)]) -> String {
        endpoint + (endpoint.contains("?") ? "&" : "?") + ProviderHTTP.form(parameters)
    }
}
