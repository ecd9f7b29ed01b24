import Crypto
import Foundation
import TollgateContracts
import TollgateSecurity

/// An Ed25519 signing key as stored on disk (one JSON file per key, readable by the owner only).
public struct SigningKey: Codable, Sendable {
    public let kid: String
    public let createdAt: Date
    /// The 32-byte private key seed, base64url.
    let privateKey: String

    public static func generate(now: Date = Date()) -> SigningKey {
        let key = Curve25519.Signing.PrivateKey()
        return SigningKey(
            kid: "ed25519-" + Base64URL.encode(SecureRandom.bytes(9)), createdAt: now,
            privateKey: Base64URL.encode(key.rawRepresentation))
    }

    public func cryptoKey() throws -> Curve25519.Signing.PrivateKey {
        guard let raw = Base64URL.decode(privateKey) else { throw SigningKeyError(message: "key \(kid) is corrupt") }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    public func publicJWK() throws -> PublicJWK {
        PublicJWK(x: Base64URL.encode(try cryptoKey().publicKey.rawRepresentation), kid: kid)
    }

    enum CodingKeys: String, CodingKey {
        case kid
        case createdAt = "created_at"
        case privateKey = "private_key"
    }
}

public struct SigningKeyError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
