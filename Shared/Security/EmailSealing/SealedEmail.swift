import Crypto
import Foundation

/// An email command as it rests in an outbox row and travels through the `EMAIL` stream: sealed
/// with HPKE (RFC 9180: X25519, HKDF-SHA256, ChaCha20-Poly1305) to the Notifier's public key, and
/// bound to the subject it was published on. Auth and Billing can seal but not open; whoever reads
/// a row, a stream or the wire sees only who it is sealed for.
public struct SealedEmail: Codable, Sendable, Equatable {
    /// The key id (`EmailKeys.keyID`) of the Notifier key that opens it.
    public let sealedFor: String
    public let encapsulatedKey: String
    public let ciphertext: String

    /// Both sides use it, so that a sealed message means only this.
    static let info = Data("tollgate email command v1".utf8)
    static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly

    enum CodingKeys: String, CodingKey {
        case sealedFor = "sealed_for"
        case encapsulatedKey = "encapsulated_key"
        case ciphertext
    }

    public init(sealedFor: String, encapsulatedKey: String, ciphertext: String) {
        self.sealedFor = sealedFor
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }
}
