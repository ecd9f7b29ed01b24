import Crypto
import Foundation
import Synchronization
import TollgateContracts
import TollgateSecurity

/// A published signing key, parsed once when it arrives rather than on every request.
public struct VerificationKey: Sendable {
    public let jwk: PublicJWK
    public let publicKey: Curve25519.Signing.PublicKey

    public init?(_ jwk: PublicJWK) {
        guard jwk.kty == "OKP", jwk.crv == "Ed25519", let raw = Base64URL.decode(jwk.x),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return nil }
        self.jwk = jwk
        self.publicKey = key
    }
}

/// The gateway's local copy of the key-value buckets it reads on every request: public signing keys
/// and revocations. Kept current by `SharedStateWatcher`; read without any round trip.
public final class SharedState: Sendable {
    private let keys = Mutex<[String: VerificationKey]>([:])
    private let revocations = Mutex<[String: Int64]>([:])
    private let entitlements = Mutex<[String: Entitlement]>([:])
    private let loadedBuckets = Mutex<Set<String>>([])

    public init() {}

    public func key(kid: String) -> VerificationKey? {
        keys.withLock { $0[kid] }
    }

    /// Adds or replaces a key; nil (or a key that is not a valid Ed25519 JWK) removes it.
    public func setKey(_ jwk: PublicJWK?, kid: String) {
        let key = jwk.flatMap(VerificationKey.init)
        keys.withLock { $0[kid] = key }
    }

    /// Marks a bucket as read up to date once (the gateway is not ready before every bucket is).
    public func markLoaded(_ bucket: String) {
        loadedBuckets.withLock { _ = $0.insert(bucket) }
    }

    public func isLoaded(_ bucket: String) -> Bool {
        loadedBuckets.withLock { $0.contains(bucket) }
    }

    /// When the user's or session's tokens were revoked (tokens issued at or before it are refused).
    public func revokedAt(key: String) -> Int64? {
        revocations.withLock { $0[key] }
    }

    /// The user's plan tier and access end, by lower-case user id.
    public func entitlement(user: String) -> Entitlement? {
        entitlements.withLock { $0[user] }
    }

    public func setEntitlement(_ entitlement: Entitlement?, user: String) {
        entitlements.withLock { $0[user] = entitlement }
    }

    public func setRevocation(_ revokedAt: Int64?, key: String) {
        revocations.withLock { $0[key] = revokedAt }
    }
}
