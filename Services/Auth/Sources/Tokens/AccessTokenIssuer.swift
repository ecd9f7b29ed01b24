import Foundation
import JWTKit
import Synchronization
import TollgateContracts

/// Signs access tokens with the newest signing key (EdDSA), through jwt-kit, and knows the public
/// keys of every key still published. `use(_:)` switches to a new key set (`rotate-key`).
public final class AccessTokenIssuer: Sendable {
    private struct KeySet: Sendable {
        let signer: JWTKeyCollection
        let activeKid: String
        let publicKeys: [PublicJWK]
    }

    private let keySet: Mutex<KeySet>
    private let issuer: String
    private let audience: String
    private let lifetime: Duration

    public init(signingKeys: [SigningKey], issuer: String, audience: String, lifetime: Duration) async throws {
        self.keySet = Mutex(try await Self.keySet(signingKeys))
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
    }

    /// From now on, sign with the newest of `signingKeys` and publish all of them.
    public func use(_ signingKeys: [SigningKey]) async throws {
        let next = try await Self.keySet(signingKeys)
        keySet.withLock { $0 = next }
    }

    /// The public halves of every key whose tokens may still be in use, oldest first.
    public var publicKeys: [PublicJWK] { keySet.withLock { $0.publicKeys } }

    public var activeKid: String { keySet.withLock { $0.activeKid } }

    private static func keySet(_ signingKeys: [SigningKey]) async throws -> KeySet {
        guard let newest = signingKeys.last else { throw SigningKeyError(message: "no signing key") }
        let collection = JWTKeyCollection()
        await collection.add(eddsa: EdDSA.PrivateKey(backing: try newest.cryptoKey()), kid: JWKIdentifier(string: newest.kid))
        return KeySet(signer: collection, activeKid: newest.kid, publicKeys: try signingKeys.map { try $0.publicJWK() })
    }

    public func issue(userID: UUID, sessionID: UUID, role: String, now: Date = Date()) async throws -> String {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let claims = AccessTokenClaims(
            sub: userID.uuidString.lowercased(), sid: sessionID.uuidString.lowercased(), role: role, iss: issuer,
            aud: audience, iat: issuedAt, exp: issuedAt + lifetime.components.seconds,
            jti: UUID().uuidString.lowercased())
        var header = JWTHeader()
        header.typ = "JWT"
        let current = keySet.withLock { $0 }
        return try await current.signer.sign(
            AccessTokenPayload(claims), kid: JWKIdentifier(string: current.activeKid), header: header)
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
