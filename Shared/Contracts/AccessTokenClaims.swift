/// The payload of an access token, shared by Auth (which signs it) and the gateway (which verifies it).
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public static let accessType = "access"

    /// User id.
    public let sub: String
    /// Session id: refused by the gateway once the session is revoked.
    public let sid: String
    public let role: String
    /// Purpose: only `access` opens routes; other purposes (refresh, verification) are refused.
    public let typ: String
    public let iss: String
    public let aud: String
    /// Issued-at and expiry, seconds since 1970.
    public let iat: Int64
    public let exp: Int64
    public let jti: String

    public init(
        sub: String, sid: String, role: String, typ: String = AccessTokenClaims.accessType, iss: String, aud: String,
        iat: Int64, exp: Int64, jti: String
    ) {
        self.sub = sub
        self.sid = sid
        self.role = role
        self.typ = typ
        self.iss = iss
        self.aud = aud
        self.iat = iat
        self.exp = exp
        self.jti = jti
    }
}

/// A revocation entry: tokens of this user or session issued at or before `revokedAt` are refused.
public struct Revocation: Codable, Sendable, Equatable {
    public let revokedAt: Int64
    public init(revokedAt: Int64) { self.revokedAt = revokedAt }

    public static func userKey(_ userID: String) -> String { "user.\(userID)" }
    public static func sessionKey(_ sessionID: String) -> String { "session.\(sessionID)" }
    /// The user's admin role was withdrawn: admin tokens issued until then no longer count as admin
    /// (the user stays signed in).
    public static func adminRoleKey(_ userID: String) -> String { "admin-role.\(userID)" }

    enum CodingKeys: String, CodingKey { case revokedAt = "revoked_at" }
}

/// A public signing key as published to the JWKS bucket (RFC 8037 OKP key).
public struct PublicJWK: Codable, Sendable, Equatable {
    public let kty: String
    public let crv: String
    public let x: String
    public let kid: String
    public let alg: String
    public let use: String

    public init(x: String, kid: String) {
        self.kty = "OKP"
        self.crv = "Ed25519"
        self.x = x
        self.kid = kid
        self.alg = "EdDSA"
        self.use = "sig"
    }
}
