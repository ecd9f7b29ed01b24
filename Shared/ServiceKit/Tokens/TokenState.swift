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

/// The local copy of what verifying an access token needs: the public signing keys and the
/// revocations, from the buckets Auth writes. Kept current by `TokenStateWatcher`; read without
/// any round trip, by the gateways and by every service that acts for a user.
public final class TokenState: Sendable {
    private let keys = Mutex<[String: VerificationKey]>([:])
    private let revocations = Mutex<[String: Int64]>([:])
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

    /// Marks a bucket as read up to date once (nothing is ready before its buckets are).
    public func markLoaded(_ bucket: String) {
        loadedBuckets.withLock { _ = $0.insert(bucket) }
    }

    public func isLoaded(_ bucket: String) -> Bool {
        loadedBuckets.withLock { $0.contains(bucket) }
    }

    /// Waits (up to `timeout`) until every one of `buckets` has been read; false if one has not.
    /// A process just started gets requests before its watches have caught up: waiting a moment
    /// beats refusing a good token for want of its key.
    public func waitUntilLoaded(_ buckets: [String], upTo timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !buckets.allSatisfy(isLoaded) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// When the user's or session's tokens were revoked (tokens issued at or before it are refused).
    public func revokedAt(key: String) -> Int64? {
        revocations.withLock { $0[key] }
    }

    public func setRevocation(_ revokedAt: Int64?, key: String) {
        revocations.withLock { $0[key] = revokedAt }
    }
}
