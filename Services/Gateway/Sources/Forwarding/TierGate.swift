import Foundation
import TollgateContracts

/// The seed's "require plan" guard for any route: a route with `tier: N` lets through only users
/// whose entitlement (written by Billing, read from the local copy of the bucket) is at least N and
/// has not run out. No round trip to Billing.
struct TierGate: Sendable {
    let state: EntitlementState

    enum Refusal: Equatable {
        /// No paid access at all: 402.
        case paymentRequired
        /// Paid access, but a lower tier: 403.
        case tierTooLow(have: Int, need: Int)

        var status: Int {
            switch self {
            case .paymentRequired: 402
            case .tierTooLow: 403
            }
        }

        var detail: String {
            switch self {
            case .paymentRequired: "This feature needs an active subscription"
            case .tierTooLow: "Your plan does not include this feature; upgrade to use it"
            }
        }
    }

    func check(user: String, requiredTier: Int, now: Date = Date()) -> Refusal? {
        let entitlement = state.entitlement(user: user.lowercased())
        let current: Int
        if let entitlement, let until = entitlement.accessUntil, until > Int64(now.timeIntervalSince1970) {
            current = entitlement.tier
        } else {
            current = 0
        }
        if current >= requiredTier { return nil }
        return current == 0 ? .paymentRequired : .tierTooLow(have: current, need: requiredTier)
    }
}
