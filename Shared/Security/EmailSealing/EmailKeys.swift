import Crypto
import Foundation

/// The Notifier's email keys as text (base64url of the raw X25519 key, as the credentials files
/// hold them), and their ids.
public enum EmailKeys {
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// A new key pair as text: (private, public).
    public static func generate() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.KeyAgreement.PrivateKey()
        return (Base64URL.encode(key.rawRepresentation), Base64URL.encode(key.publicKey.rawRepresentation))
    }

    public static func publicKey(_ text: String) throws(Invalid) -> Curve25519.KeyAgreement.PublicKey {
        guard let raw = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
            let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)
        else { throw Invalid(description: "not an email public key (base64url of 32 bytes)") }
        return key
    }

    /// Every private key in the text, one per line, newest first (the older ones still open what
    /// was sealed before a rotation).
    public static func privateKeys(_ text: String) throws(Invalid) -> [Curve25519.KeyAgreement.PrivateKey] {
        var keys: [Curve25519.KeyAgreement.PrivateKey] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let raw = Base64URL.decode(trimmed), raw.count == 32,
                let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
            else { throw Invalid(description: "not an email private key (base64url of 32 bytes)") }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw Invalid(description: "no email private key") }
        return keys
    }

    /// The first 8 bytes of the public key's SHA-256, in hex: names the key without being it.
    public static func keyID(_ publicKey: Curve25519.KeyAgreement.PublicKey) -> String {
        Hex.encode(SHA256.hash(data: publicKey.rawRepresentation).prefix(8))
    }
}
