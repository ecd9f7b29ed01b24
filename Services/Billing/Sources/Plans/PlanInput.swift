import Foundation
import TollgateContracts
import TollgateServiceKit

/// The body of `POST /billing/plans` and `PATCH /billing/plans/{id}`: every field optional here,
/// checked by `validated(creating:)` with one message per bad field.
struct PlanInput: Codable, Sendable {
    var name: String?
    var code: String?
    var priceCents: Int?
    var billingPeriod: String?
    var currency: String?
    var isActive: Bool?
    var tier: Int?
    var features: [String]?
    var limits: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case name, code, currency, tier, features, limits
        case priceCents = "price_cents"
        case billingPeriod = "billing_period"
        case isActive = "is_active"
    }

    static let periods = ["monthly", "yearly"]
    /// At most this many features, and this many limits, per plan.
    static let mostEntries = 50
    /// The largest limit (a trillion: beyond any count a gateway keeps, far from overflow).
    static let largestLimit = QuotaUsageKey.maxCount

    /// Checks the fields present (and, when creating, that the required ones are). `tiers` are the
    /// deployment's plan tiers (`TOLLGATE_PLAN_TIERS`).
    func validate(creating: Bool, tiers: Set<Int>) throws(ValidationFailure) {
        var errors: [String: String] = [:]
        if creating {
            if name == nil { errors["name"] = "Field required" }
            if code == nil { errors["code"] = "Field required" }
            if priceCents == nil { errors["price_cents"] = "Field required" }
            if billingPeriod == nil { errors["billing_period"] = "Field required" }
        }
        if let name, !(1...100).contains(name.trimmingCharacters(in: .whitespaces).count) {
            errors["name"] = "Name must be 1 to 100 characters"
        }
        if let code, !Self.isValidCode(code) {
            errors["code"] = "Code must be 1 to 50 lower-case letters, digits, - or _"
        }
        if let priceCents, !(0...100_000_000).contains(priceCents) {
            errors["price_cents"] = "Price must be between 0 and 100000000 cents"
        }
        if let billingPeriod, !Self.periods.contains(billingPeriod) {
            errors["billing_period"] = "Billing period must be monthly or yearly"
        }
        if let currency, CurrencyCodes.normalized(currency) == nil {
            errors["currency"] = "Currency must be an ISO 4217 currency code, such as USD or EUR"
        }
        if let tier, !tiers.contains(tier) {
            errors["tier"] = "Tier must be one of \(tiers.sorted().map(String.init).joined(separator: ", "))"
        }
        if let features {
            if features.count > Self.mostEntries || !features.allSatisfy(Self.isValidName) || Set(features).count != features.count {
                errors["features"] = "Features must be at most \(Self.mostEntries) distinct names of 1 to 64 lower-case letters, digits, - or _"
            }
        }
        if let limits {
            if limits.count > Self.mostEntries || !limits.keys.allSatisfy(Self.isValidName) {
                errors["limits"] = "Limits must be at most \(Self.mostEntries), named by 1 to 64 lower-case letters, digits, - or _"
            } else if !limits.values.allSatisfy({ (0...Self.largestLimit).contains($0) }) {
                errors["limits"] = "Each limit must be a whole number from 0 to \(Self.largestLimit)"
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// A feature's or limit's name, as routes name it (`feature: reports`, `quota: api_calls`).
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func isValidCode(_ code: String) -> Bool {
        (1...50).contains(code.count)
            && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
