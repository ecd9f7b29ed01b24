import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import NIOCore
import StripeSandbox
import Synchronization
import TollgateSecurity

/// Identity providers for tests, speaking the real protocols: OpenID Connect tenants under
/// `/oidc/<tenant>` (discovery, authorization with state/nonce/PKCE, a token endpoint taking
/// form-encoded requests, RS256 ID tokens, a JWKS) and GitHub under `/github` (authorize, the token
/// endpoint's answers, `/api/user` and `/api/user/emails`). Codes work once; PKCE is checked.
public final class OAuthProviderStandIn: Sendable {
    let state = Mutex(OAuthStandInState())
    private let server: LocalHTTPServer
    let signingKeys: JWTKeyCollection
    let strangerKeys: JWTKeyCollection
    let publicJWK: [String: String]
    static let kid = "stand-in-key-1"

    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    public func issuer(_ tenant: String) -> String { "\(url)/oidc/\(tenant)" }
    public var githubAuthorizeURL: String { "\(url)/github/login/oauth/authorize" }
    public var githubTokenURL: String { "\(url)/github/login/oauth/access_token" }
    public var githubAPIURL: String { "\(url)/github/api" }

    private init(server: LocalHTTPServer, signingKeys: JWTKeyCollection, strangerKeys: JWTKeyCollection, publicJWK: [String: String]) {
        self.server = server
        self.signingKeys = signingKeys
        self.strangerKeys = strangerKeys
        self.publicJWK = publicJWK
    }

    public static func start() async throws -> OAuthProviderStandIn {
        let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let stranger = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let signingKeys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        // Same kid, another key: a token a forger signed.
        let strangerKeys = await JWTKeyCollection().add(rsa: stranger, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let primitives = try key.publicKey.getKeyPrimitives()
        let jwk = [
            "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
        ]
        let standIn = OAuthProviderStandIn(
            server: await LocalHTTPServer.start(label: "oauth-stand-in"), signingKeys: signingKeys, strangerKeys: strangerKeys,
            publicJWK: jwk)
        standIn.server.answer { request in try await standIn.respond(request) }
        return standIn
    }

    public func stop() async {
        await server.stop()
    }

    // MARK: What tests set

    public func register(clientID: String, secret: String, redirectURI: String) {
        state.withLock { $0.clients[clientID] = (secret, redirectURI) }
    }

    /// The user who signs in next at `tenant` (`github` for GitHub).
    public func nextUser(_ user: ProviderUser, at tenant: String) {
        state.withLock { $0.users[tenant] = user }
    }

    public func fault(_ fault: IDTokenFault?) {
        state.withLock { $0.fault = fault }
    }

    public func githubEmails(_ emails: [(email: String, primary: Bool, verified: Bool)]?) {
        state.withLock { $0.githubEmails = emails }
    }

    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    // MARK: HTTP

    private func respond(_ request: Request) async throws -> Response {
        let path = request.uri.path
        let query = Self.parse(request.uri.query ?? "")
        let body = Self.parse(String(buffer: try await request.body.collect(upTo: 1 << 16)))
        let parts = path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "oidc" {
            let tenant = parts[1]
            switch (request.method, parts.dropFirst(2).joined(separator: "/")) {
            case (.get, ".well-known/openid-configuration"): return json(discovery(tenant))
            case (.get, "jwks"): return json(["keys": [publicJWK]])
            case (.get, "authorize"): return authorize(tenant: tenant, query)
            case (.post, "token"): return try await token(tenant: tenant, body, authorization: request.headers[.authorization])
            default: break
            }
        }
        if parts.first == "github" {
            switch (request.method, parts.dropFirst().joined(separator: "/")) {
            case (.get, "login/oauth/authorize"): return authorize(tenant: "github", query)
            case (.post, "login/oauth/access_token"): return try await token(tenant: "github", body, authorization: nil)
            case (.get, "api/user"): return githubUser(request.headers[.authorization])
            case (.get, "api/user/emails"): return githubEmails(request.headers[.authorization])
            default: break
            }
        }
        return json(["error": "not_found"], status: 404)
    }

    private func discovery(_ tenant: String) -> [String: Any] {
        let base = issuer(tenant)
        return [
            "issuer": base, "authorization_endpoint": "\(base)/authorize", "token_endpoint": "\(base)/token",
            "jwks_uri": "\(base)/jwks", "userinfo_endpoint": "\(base)/userinfo", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "email", "profile"],
        ]
    }

    /// The consent page, already agreed: back to the client with a code (or an error).
    private func authorize(tenant: String, _ query: [String: String]) -> Response {
        let outcome = state.withLock { state -> (String, [(String, String)])? in
            guard let clientID = query["client_id"], let client = state.clients[clientID],
                let redirectURI = query["redirect_uri"], redirectURI == client.redirectURI
            else { return nil }
            var answer: [(String, String)] = []
            if let given = query["state"] { answer.append(("state", given)) }
            if tenant != "github", query["response_type"] != "code" {
                return (redirectURI, [("error", "unsupported_response_type")] + answer)
            }
            guard let user = state.users[tenant] else { return (redirectURI, [("error", "access_denied")] + answer) }
            let code = "code-" + UUID().uuidString
            state.codes[code] = IssuedCode(
                tenant: tenant, clientID: clientID, redirectURI: redirectURI,
                codeChallenge: query["code_challenge_method"] == "S256" ? query["code_challenge"] : nil,
                nonce: query["nonce"], user: user)
            return (redirectURI, [("code", code)] + answer)
        }
        guard let (redirectURI, parameters) = outcome else {
            return json(["error": "invalid_client"], status: 400)
        }
        var components = URLComponents(string: redirectURI)
        components?.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        var headers = HTTPFields()
        headers[.location] = components?.string ?? redirectURI
        return Response(status: .found, headers: headers)
    }

    /// The token endpoint: client authentication, the code once, the redirect URI, PKCE.
    private func token(tenant: String, _ form: [String: String], authorization: String?) async throws -> Response {
        let github = tenant == "github"
        let refused: (String) -> Response = { error in
            // GitHub answers 200 with an error field; OAuth 2 servers answer 400.
            self.json(["error": error], status: github ? 200 : 400)
        }
        var clientID = form["client_id"]
        var secret = form["client_secret"]
        if let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) })
        {
            let pair = decoded.split(separator: ":", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if pair.count == 2 { (clientID, secret) = (pair[0], pair[1]) }
        }
        let checked = state.withLock { state -> Result<(IssuedCode, String, IDTokenFault?), StandInRefusal> in
            state.tokenRequests += 1
            guard let clientID, let client = state.clients[clientID], client.secret == secret else {
                return .failure(.init(error: "invalid_client"))
            }
            if !github, form["grant_type"] != "authorization_code" { return .failure(.init(error: "unsupported_grant_type")) }
            // A code works once: taken out before anything else is checked.
            guard let code = form["code"], let issued = state.codes.removeValue(forKey: code), issued.tenant == tenant,
                issued.clientID == clientID
            else { return .failure(.init(error: github ? "bad_verification_code" : "invalid_grant")) }
            guard form["redirect_uri"] == issued.redirectURI else { return .failure(.init(error: "invalid_grant")) }
            if let challenge = issued.codeChallenge {
                guard let verifier = form["code_verifier"],
                    Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8)))) == challenge
                else { return .failure(.init(error: "invalid_grant")) }
            }
            let accessToken = "at-" + UUID().uuidString
            state.accessTokens[accessToken] = issued.user
            return .success((issued, accessToken, state.fault))
        }
        switch checked {
        case .failure(let refusal): return refused(refusal.error)
        case .success(let (issued, accessToken, fault)):
            if github { return json(["access_token": accessToken, "token_type": "bearer", "scope": "read:user,user:email"]) }
            let idToken = try await self.idToken(for: issued, fault: fault)
            return json(["access_token": accessToken, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken])
        }
    }

    struct StandInRefusal: Error {
        let error: String
    }

    private func idToken(for issued: IssuedCode, fault: IDTokenFault?) async throws -> String {
        let now = Date()
        let claims = StandInIDToken(
            iss: IssuerClaim(value: fault == .wrongIssuer ? issuer("someone-else") : issuer(issued.tenant)),
            sub: SubjectClaim(value: issued.user.subject),
            aud: AudienceClaim(value: [fault == .wrongAudience ? "another-client" : issued.clientID]),
            exp: ExpirationClaim(value: fault == .expired ? now.addingTimeInterval(-120) : now.addingTimeInterval(600)),
            iat: IssuedAtClaim(value: now.addingTimeInterval(fault == .expired ? -720 : 0)),
            nonce: fault == .wrongNonce ? "not-the-nonce" : issued.nonce,
            email: issued.user.email, email_verified: issued.user.emailVerified, name: issued.user.name,
            given_name: issued.user.name.split(separator: " ").first.map(String.init))
        let keys = fault == .badSignature ? strangerKeys : signingKeys
        return try await keys.sign(claims, kid: JWKIdentifier(string: Self.kid))
    }

    private func githubUser(_ authorization: String?) -> Response {
        guard let user = bearerUser(authorization) else { return json(["message": "Bad credentials"], status: 401) }
        return json(["id": Int(user.subject) ?? 0, "login": user.login, "name": user.name])
    }

    private func githubEmails(_ authorization: String?) -> Response {
        guard let user = bearerUser(authorization) else { return json(["message": "Bad credentials"], status: 401) }
        let emails = state.withLock { $0.githubEmails } ?? [(user.email, true, user.emailVerified)]
        return json(emails.map { ["email": $0.email, "primary": $0.primary, "verified": $0.verified, "visibility": "private"] })
    }

    private func bearerUser(_ authorization: String?) -> ProviderUser? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = String(authorization.dropFirst(7))
        return state.withLock { $0.accessTokens[token] }
    }

    // MARK: Encoding

    private func json(_ value: Any, status: Int = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value)) ?? Data()
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Query strings and form bodies, read as the Stripe sandbox reads them.
    static func parse(_ text: String) -> [String: String] {
        Dictionary(SandboxForm(text).pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The stand-in's ID token claims (its own type: the provider side is not Auth's code).
struct StandInIDToken: JWTPayload {
    let iss: IssuerClaim
    let sub: SubjectClaim
    let aud: AudienceClaim
    let exp: ExpirationClaim
    let iat: IssuedAtClaim
    let nonce: String?
    let email: String
    let email_verified: Bool
    let name: String
    let given_name: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
