import Foundation
import JWTKit
import TollgateContracts

/// Signs access tokens with the newest signing key (EdDSA), through jwt-kit.
public final class AccessTokenIssuer: Sendable {
    private let keys: JWTKeyCollection
    private let activeKid: String
    private let issuer: String
    private let audience: String
    private let lifetime: Duration

    public init(signingKeys: [SigningKey], issuer: String, audience: String, lifetime: Duration) async throws {
        guard let newest = signingKeys.last else { throw SigningKeyError(message: "no signing key") }
        let collection = JWTKeyCollection()
        await collection.add(eddsa: EdDSA.PrivateKey(backing: try newest.cryptoKey()), kid: JWKIdentifier(string: newest.kid))
        self.keys = collection
        self.activeKid = newest.kid
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
    }

    public func issue(userID: UUID, sessionID: UUID, role: String, now: Date = Date()) async throws -> String {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let claims = AccessTokenClaims(
            sub: userID.uuidString.lowercased(), sid: sessionID.uuidString.lowercased(), role: role, iss: issuer,
            aud: audience, iat: issuedAt, exp: issuedAt + lifetime.components.seconds,
            jti: UUID().uuidString.lowercased())
        var header = JWTHeader()
        header.typ = "JWT"
        return try await keys.sign(AccessTokenPayload(claims), kid: JWKIdentifier(string: activeKid), header: header)
    }

    public var lifetimeSeconds: Int64 { lifetime.components.seconds }
}

/// jwt-kit's view of the claims. Verification is the gateway's job, so `verify` checks nothing here.
struct AccessTokenPayload: JWTPayload {
    let claims: AccessTokenClaims
    init(_ claims: AccessTokenClaims) { self.claims = claims }
    init(from decoder: any Decoder) throws { claims = try AccessTokenClaims(from: decoder) }
    func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
