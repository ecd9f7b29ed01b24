import Synchronization
import TollgateContracts

/// The gateway's copy of the entitlements bucket Billing writes: each user's plan tier and access
/// end, read on every `tier:` route without a round trip.
public final class EntitlementState: Sendable {
    private let entitlements = Mutex<[String: Entitlement]>([:])
    private let loaded = Atomic<Bool>(false)

    public init() {}

    /// The user's plan tier and access end, by lower-case user id.
    public func entitlement(user: String) -> Entitlement? {
        entitlements.withLock { $0[user] }
    }

    public func setEntitlement(_ entitlement: Entitlement?, user: String) {
        entitlements.withLock { $0[user] = entitlement }
    }

    public var isLoaded: Bool { loaded.load(ordering: .relaxed) }

    func markLoaded() { loaded.store(true, ordering: .relaxed) }
}
