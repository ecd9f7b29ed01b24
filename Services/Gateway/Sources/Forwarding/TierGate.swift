import Foundation
import TollgateContracts

/// The seed's "require plan" guard for any route: a route with `tier: N` lets through only users
/// whose entitlement (written by Billing, read from the local copy of the bucket) is at least N and
/// has not run out; one with `feature: name` only users whose plan lists it. No round trip to Billing.
struct TierGate: Sendable {
    let state: EntitlementState

    enum Refusal: Equatable {
        /// No paid access at all: 402.
        case paymentRequired
        /// Paid access, but a lower tier: 403.
        case tierTooLow(have: Int, need: Int)
        /// Paid access, but the plan does not list the feature: 403.
        case featureMissing(String)

        var status: Int {
            switch self {
            case .paymentRequired: 402
            case .tierTooLow, .featureMissing: 403
            }
        }

        var detail: String {
            switch self {
            case .paymentRequired: "This feature needs an active subscription"
            case .tierTooLow: "Your plan does not include this feature; upgrade to use it"
            case .featureMissing(let feature): "Your plan does not include \(feature)"
            }
        }
    }

    /// The user's entitlement while it lasts; nil without one, or once its access has ended.
    func active(user: String, now: Date = Date()) -> Entitlement? {
        guard let entitlement = state.entitlement(user: user.lowercased()), let until = entitlement.accessUntil,
            until > Int64(now.timeIntervalSince1970)
        else { return nil }
        return entitlement
    }

    func check(user: String, feature: String, now: Date = Date()) -> Refusal? {
        guard let entitlement = active(user: user, now: now), entitlement.tier > 0 || entitlement.plan != nil else {
            return .paymentRequired
        }
        return entitlement.features.contains(feature) ? nil : .featureMissing(feature)
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
