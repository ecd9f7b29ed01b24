import Crypto
import Foundation
import TollgateContracts

/// The key the gateways sign `X-Tollgate-Assertion` with (Ed25519; one per deployment, made by
/// `tollgate-credentials`): the private half, base64url, is the gateways' alone; the public halves,
/// one per line (the newest first, then the one it replaced), are what Auth serves in
/// `/.well-known/jwks.json`, each under its own key id.
public enum AssertionKeys {
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public static func generate() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (Base64URL.encode(key.rawRepresentation), Base64URL.encode(key.publicKey.rawRepresentation))
    }

    public static func privateKey(_ text: String) throws -> Curve25519.Signing.PrivateKey {
        guard let first = text.split(whereSeparator: \.isNewline).first, let raw = Base64URL.decode(String(first)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw Problem(description: "not an Ed25519 private key in base64url") }
        return key
    }

    /// Every public key in the file's text, as JWKs.
    public static func publicJWKs(_ text: String) throws -> [PublicJWK] {
        try text.split(whereSeparator: \.isNewline).map { line in
            let encoded = line.trimmingCharacters(in: .whitespaces)
            guard let raw = Base64URL.decode(encoded), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw Problem(description: "not an Ed25519 public key in base64url: \(encoded.prefix(12))…")
            }
            return PublicJWK(x: encoded, kid: keyID(key))
        }
    }

    /// `assertion-` and the first 16 characters of the public key's SHA-256, base64url: the same
    /// for the same key wherever it is computed.
    public static func keyID(_ key: Curve25519.Signing.PublicKey) -> String {
        "assertion-" + Base64URL.encode(Data(SHA256.hash(data: key.rawRepresentation))).prefix(16)
    }
}
