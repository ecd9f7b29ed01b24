import Crypto
import Foundation
import TollgateContracts

/// Seals email commands for the Notifier (Auth, Billing and the Notifier's `send-test`).
public struct EmailSealer: Sendable {
    let publicKey: Curve25519.KeyAgreement.PublicKey
    let keyID: String

    public init(publicKey: Curve25519.KeyAgreement.PublicKey) {
        self.publicKey = publicKey
        self.keyID = EmailKeys.keyID(publicKey)
    }

    /// The sealed command as the payload to publish on `subject`.
    public func seal(_ command: EmailCommand, subject: String) throws -> Data {
        var sender = try HPKE.Sender(recipientKey: publicKey, ciphersuite: SealedEmail.suite, info: SealedEmail.info)
        let ciphertext = try sender.seal(JSONEncoder().encode(command), authenticating: Data(subject.utf8))
        return try JSONEncoder().encode(
            SealedEmail(
                sealedFor: keyID, encapsulatedKey: Base64URL.encode(sender.encapsulatedKey),
                ciphertext: Base64URL.encode(ciphertext)))
    }
}
