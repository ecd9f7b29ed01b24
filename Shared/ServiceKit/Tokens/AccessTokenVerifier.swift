import Crypto
import Foundation
import TollgateContracts
import TollgateSecurity

/// Why a bearer token was refused (logged, never shown to the client beyond "invalid token").
public enum TokenRejection: Error, Equatable, Sendable {
    case malformed
    case unsupportedAlgorithm
    case unknownKey
    case badSignature
    case missingClaim(String)
    case wrongType
    case wrongIssuer
    case wrongAudience
    case expired
    /// Issued (`iat`) or valid from (`nbf`) later than now, beyond the leeway.
    case notYetValid
    case revoked

    /// What the client is told (the starter's words for a bad or an expired token), gateway and
    /// services alike; the reason itself is only logged.
    public var detail: String {
        switch self {
        case .expired: "Token expired"
        case .revoked: "Token has been revoked"
        default: "Invalid token"
        }
    }
}

/// Verifies access tokens itself rather than through jwt-kit, which (5.8) ignores the header's
/// `alg`, falls back to a default key for an unknown `kid` and accepts a token without `exp`.
/// Here: `alg` must be EdDSA, `kid` must be a published key, and `exp`, `iss`, `aud`, `typ` must be
/// present and right.
public struct AccessTokenVerifier: Sendable {
    let state: TokenState
    let issuer: String
    let audience: String
    /// Tolerated clock difference between Auth and the gateway.
    let leeway: Int64 = 30
    private let cache = VerifiedTokenCache()

    public init(state: TokenState, issuer: String, audience: String) {
        self.state = state
        self.issuer = issuer
        self.audience = audience
    }

    private struct Header: Decodable {
        let alg: String?
        let kid: String?
        let crit: [String]?
    }

    /// Claims with every field optional, so a missing one is reported as such.
    private struct LooseClaims: Decodable {
        let sub: String?
        let sid: String?
        let role: String?
        let typ: String?
        let iss: String?
        let aud: String?
        let iat: Int64?
        let nbf: Int64?
        let exp: Int64?
    }

    public func verify(_ token: String, now: Date = Date()) throws(TokenRejection) -> AccessTokenClaims {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let claims: AccessTokenClaims
        if let cached = cache.entry(for: token), state.key(kid: cached.kid) != nil {
            claims = cached.claims
        } else {
            let (checked, kid) = try verifySignatureAndClaims(token, now: nowSeconds)
            cache.store(VerifiedTokenCache.Entry(claims: checked, kid: kid), for: token, now: nowSeconds)
            claims = checked
        }
        // Checked on every request, cached or not: time passes and revocations arrive.
        guard claims.exp > nowSeconds - leeway else { throw .expired }
        for key in [Revocation.userKey(claims.sub), Revocation.sessionKey(claims.sid)] {
            if let revokedAt = state.revokedAt(key: key), claims.iat <= revokedAt { throw .revoked }
        }
        return claims
    }

    /// The token says `admin` and the role was not withdrawn after it was issued.
    public func isAdmin(_ claims: AccessTokenClaims) -> Bool {
        guard claims.role == "admin" else { return false }
        guard let withdrawnAt = state.revokedAt(key: Revocation.adminRoleKey(claims.sub)) else { return true }
        return claims.iat > withdrawnAt
    }

    /// Everything that depends only on the token's text and the key: done once per token.
    /// A token from the future is refused here, once: a cached token was not from the future when
    /// it was checked, and time only moves on.
    private func verifySignatureAndClaims(_ token: String, now: Int64) throws(TokenRejection) -> (AccessTokenClaims, String) {
        // A bound on the work a client can ask for; real tokens are well under 1 KiB.
        guard token.utf8.count <= 4096 else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        // Two equal names in the header or claims could mean one thing to us and another to someone else.
        guard JSONSyntax.problem(in: headerData) == nil, JSONSyntax.problem(in: payloadData) == nil,
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw .malformed }
        guard header.alg == "EdDSA", header.crit == nil else { throw .unsupportedAlgorithm }
        guard let kid = header.kid, let key = state.key(kid: kid) else { throw .unknownKey }
        let signedPart = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.publicKey.isValidSignature(signature, for: signedPart) else { throw .badSignature }

        guard let claims = try? JSONDecoder().decode(LooseClaims.self, from: payloadData) else { throw .malformed }
        guard let exp = claims.exp else { throw .missingClaim("exp") }
        guard let iss = claims.iss else { throw .missingClaim("iss") }
        guard let aud = claims.aud else { throw .missingClaim("aud") }
        guard let typ = claims.typ else { throw .missingClaim("typ") }
        guard let sub = claims.sub, UUID(uuidString: sub) != nil else { throw .missingClaim("sub") }
        guard let sid = claims.sid else { throw .missingClaim("sid") }
        guard let iat = claims.iat else { throw .missingClaim("iat") }
        guard typ == AccessTokenClaims.accessType else { throw .wrongType }
        guard iss == issuer else { throw .wrongIssuer }
        guard aud == audience else { throw .wrongAudience }
        // A clock ahead by more than the leeway, or a token minted to be used later, is not valid now.
        guard iat <= now + leeway, (claims.nbf ?? iat) <= now + leeway else { throw .notYetValid }
        let verified = AccessTokenClaims(
            sub: sub.lowercased(), sid: sid.lowercased(), role: claims.role ?? "user", typ: typ, iss: iss, aud: aud,
            iat: iat, exp: exp, jti: "")
        return (verified, kid)
    }
}
