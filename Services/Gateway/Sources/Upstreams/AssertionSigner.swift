import Crypto
import Foundation
import Synchronization
import TollgateContracts
import TollgateSecurity

/// Signs `X-Tollgate-Assertion`: a JWT saying who the gateway let through to which upstream
/// (`sub` the user, `sid`, `role`, `plan` and `features` as the identity headers say them, `aud` the
/// upstream's name, `typ` `tollgate-assertion`), valid
/// 60 s, signed with the deployment's assertion key, whose public half Auth serves in
/// `/.well-known/jwks.json`. One assertion per session and upstream is reused while it has at
/// least 30 s left, so a busy client costs one signature every half minute, not one per request.
final class AssertionSigner: Sendable {
    static let lifetime: Int64 = 60
    static let reuseWhileLeft: Int64 = 30
    /// Past this many, the cache starts afresh (bounded memory whatever the traffic).
    static let cacheLimit = 100_000
    static let type = "tollgate-assertion"

    private let key: Curve25519.Signing.PrivateKey
    /// The JWT header, encoded once: `{"alg":"EdDSA","kid":…,"typ":"JWT"}`.
    private let encodedHeader: String
    private let issuer: String
    private let cache = Mutex<[String: (token: String, expires: Int64)]>([:])

    init(privateKey: String, issuer: String) throws {
        key = try AssertionKeys.privateKey(privateKey)
        let header = ["alg": "EdDSA", "typ": "JWT", "kid": AssertionKeys.keyID(key.publicKey)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encodedHeader = Base64URL.encode(try encoder.encode(header))
        self.issuer = issuer
    }

    func assertion(
        for caller: AccessTokenClaims, plan: Entitlement? = nil, audience: String, now: Int64 = Int64(Date().timeIntervalSince1970)
    ) throws -> String {
        let features = plan?.features ?? []
        // What the assertion says, besides its times: a change (a role, a plan) is a new assertion.
        let cacheKey = "\(caller.sid) \(caller.role) \(audience) \(plan?.plan ?? "") \(features.joined(separator: ","))"
        if let cached = cache.withLock({ $0[cacheKey] }), cached.expires - now >= Self.reuseWhileLeft { return cached.token }
        let claims = AssertionClaims(
            iss: issuer, sub: caller.sub, aud: audience, sid: caller.sid, role: caller.role, plan: plan?.plan, features: features,
            typ: Self.type, iat: now,
            exp: now + Self.lifetime, jti: UUID().uuidString.lowercased())
        // A JWS compact serialization (RFC 7515 §7.1) with EdDSA (RFC 8037).
        let signingInput = encodedHeader + "." + Base64URL.encode(try JSONEncoder().encode(claims))
        let token = signingInput + "." + Base64URL.encode(try key.signature(for: Data(signingInput.utf8)))
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[cacheKey] = (token, claims.exp)
        }
        return token
    }
}

/// The assertion's claims, as an app reads them.
struct AssertionClaims: Codable {
    let iss: String
    let sub: String
    let aud: String
    let sid: String
    let role: String
    let plan: String?
    let features: [String]
    let typ: String
    let iat: Int64
    let exp: Int64
    let jti: String
}
