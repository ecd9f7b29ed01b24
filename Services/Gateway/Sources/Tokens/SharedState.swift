import Foundation
import Synchronization
import TollgateContracts

/// The gateway's local copy of the key-value buckets it reads on every request: public signing keys
/// and revocations. Kept current by `SharedStateWatcher`; read without any round trip.
public final class SharedState: Sendable {
    private let keys = Mutex<[String: PublicJWK]>([:])
    private let revocations = Mutex<[String: Int64]>([:])
    private let loadedBuckets = Mutex<Set<String>>([])

    public init() {}

    public func key(kid: String) -> PublicJWK? {
        keys.withLock { $0[kid] }
    }

    public func setKey(_ jwk: PublicJWK?, kid: String) {
        keys.withLock { $0[kid] = jwk }
    }

    public var keyCount: Int { keys.withLock { $0.count } }

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

    public func setRevocation(_ revokedAt: Int64?, key: String) {
        revocations.withLock { $0[key] = revokedAt }
    }
}
