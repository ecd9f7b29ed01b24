import Crypto
import Foundation
import TollgateContracts

/// Opens sealed email commands (the Notifier alone holds the private keys).
public struct EmailOpener: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Not a sealed command: nobody we trust wrote it.
        case notSealed
        /// Sealed for a key this Notifier does not hold.
        case unknownKey(String)
        /// The seal does not open with the subject it came on: altered, or moved to another subject.
        case tampered

        public var description: String {
            switch self {
            case .notSealed: "not a sealed email command"
            case .unknownKey(let id): "sealed for key \(id), which this Notifier does not hold"
            case .tampered: "the seal does not open (altered, or published on another subject)"
            }
        }
    }

    let keys: [String: Curve25519.KeyAgreement.PrivateKey]

    public init(privateKeys: [Curve25519.KeyAgreement.PrivateKey]) {
        var keys: [String: Curve25519.KeyAgreement.PrivateKey] = [:]
        for key in privateKeys { keys[EmailKeys.keyID(key.publicKey)] = keys[EmailKeys.keyID(key.publicKey)] ?? key }
        self.keys = keys
    }

    public func open(_ payload: Data, subject: String) throws(Failure) -> EmailCommand {
        guard let sealed = try? JSONDecoder().decode(SealedEmail.self, from: payload),
            let encapsulated = Base64URL.decode(sealed.encapsulatedKey), let ciphertext = Base64URL.decode(sealed.ciphertext)
        else { throw .notSealed }
        guard let key = keys[sealed.sealedFor] else { throw .unknownKey(sealed.sealedFor) }
        do {
            var recipient = try HPKE.Recipient(
                privateKey: key, ciphersuite: SealedEmail.suite, info: SealedEmail.info, encapsulatedKey: encapsulated)
            let plaintext = try recipient.open(ciphertext, authenticating: Data(subject.utf8))
            return try JSONDecoder().decode(EmailCommand.self, from: plaintext)
        } catch {
            throw .tampered
        }
    }
}
