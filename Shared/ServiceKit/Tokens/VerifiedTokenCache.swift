import Synchronization
import TollgateContracts

/// Remembers tokens whose signature and claims were already checked, so a client sending the same
/// token on every request pays for one Ed25519 verification, not one per request (it was most of
/// the gateway's CPU time). Expiry, the signing key's presence and revocations are still checked
/// on every request by the verifier. Keyed by the exact token text: a different spelling of the
/// same token is simply verified again.
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        let claims: AccessTokenClaims
        let kid: String
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    func entry(for token: String) -> Entry? {
        entries.withLock { $0[token] }
    }

    func store(_ entry: Entry, for token: String, now: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity {
                // Full: drop what has expired; if that frees too little, start over. Either way the
                // cost is bounded and no client can grow memory without limit.
                entries = entries.filter { $0.value.claims.exp > now }
                if entries.count >= capacity / 2 { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }
}
