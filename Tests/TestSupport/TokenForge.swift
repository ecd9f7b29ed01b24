import AuthService
import Crypto
import Foundation
import TollgateSecurity

/// Builds JWTs by hand, signed with the system's real key or deliberately wrong, to test what the
/// gateway accepts.
public struct TokenForge: Sendable {
    public let kid: String
    private let key: Curve25519.Signing.PrivateKey

    /// Uses the newest signing key Auth stored under the system's data folder.
    public init(system: TestSystem) throws {
        let keys = try SigningKeyStore(directory: system.data.path + "/auth-keys").load()
        guard let newest = keys.last else { throw DeadlineExceeded(what: "a signing key") }
        kid = newest.kid
        key = try newest.cryptoKey()
    }

    /// Claims like Auth's, for `userID`, that tests then alter.
    public func claims(userID: String, sessionID: String = UUID().uuidString.lowercased(), now: Date = Date())
        -> [String: Any]
    {
        let issuedAt = Int(now.timeIntervalSince1970)
        return [
            "sub": userID, "sid": sessionID, "role": "user", "typ": "access", "iss": "tollgate", "aud": "tollgate",
            "iat": issuedAt, "exp": issuedAt + 900, "jti": UUID().uuidString,
        ]
    }

    public func sign(_ claims: [String: Any], header: [String: Any]? = nil) throws -> String {
        let header = header ?? ["alg": "EdDSA", "typ": "JWT", "kid": kid]
        let signingInput = try Self.encode(header) + "." + Self.encode(claims)
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// An HS256 token whose HMAC secret is the public key: the classic algorithm-confusion attack.
    public func signHS256(_ claims: [String: Any]) throws -> String {
        let signingInput = try Self.encode(["alg": "HS256", "typ": "JWT", "kid": kid]) + "." + Self.encode(claims)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(signingInput.utf8), using: SymmetricKey(data: key.publicKey.rawRepresentation))
        return signingInput + "." + Base64URL.encode(Data(mac))
    }

    public func unsigned(_ claims: [String: Any]) throws -> String {
        try Self.encode(["alg": "none", "typ": "JWT"]) + "." + Self.encode(claims) + "."
    }

    static func encode(_ object: [String: Any]) throws -> String {
        Base64URL.encode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
