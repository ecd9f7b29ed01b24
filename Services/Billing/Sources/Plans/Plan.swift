import FluentKit
import Foundation
import SQLKit

/// A plan a user can subscribe to. Money is integer minor units plus an ISO currency code.
public final class Plan: Model, @unchecked Sendable {
    public static let schema = "plans"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "code") public var code: String
    @Field(key: "price_cents") public var priceCents: Int
    @Field(key: "currency") public var currency: String
    /// `monthly` or `yearly`.
    @Field(key: "billing_period") public var billingPeriod: String
    /// 0 free, 1 pro, 2 vip: higher means more access.
    @Field(key: "tier") public var tier: Int
    @Field(key: "is_active") public var isActive: Bool
    @OptionalField(key: "stripe_product_id") public var stripeProductID: String?
    @OptionalField(key: "stripe_price_id") public var stripePriceID: String?
    @Field(key: "created_at") public var createdAt: Date
    /// The feature names the plan entitles to, as JSON text (`features`).
    @Field(key: "features") var featuresJSON: String
    /// Its limits by name, as JSON text (`limits`).
    @Field(key: "limits") var limitsJSON: String

    public init() {}

    public var features: [String] {
        get { PlanEntitlements.features(featuresJSON) }
        set { featuresJSON = PlanEntitlements.json(newValue) }
    }

    public var limits: [String: Int] {
        get { PlanEntitlements.limits(limitsJSON) }
        set { limitsJSON = PlanEntitlements.json(newValue) }
    }

    public init(name: String, code: String, priceCents: Int, currency: String, billingPeriod: String, tier: Int) {
        self.id = UUID()
        self.name = name
        self.code = code
        self.priceCents = priceCents
        self.currency = currency
        self.billingPeriod = billingPeriod
        self.tier = tier
        self.isActive = true
        self.createdAt = Date()
        self.featuresJSON = "[]"
        self.limitsJSON = "{}"
    }
}

/// A plan's features and limits as stored: JSON text, read leniently (a row that cannot be read
/// entitles to nothing rather than failing every read of the plan).
enum PlanEntitlements {
    static func features(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    static func limits(_ json: String) -> [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(json.utf8))) ?? [:]
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// A plan row as plain SQL reads it (see `SubscriptionRecord` for why).
struct PlanRecord: Decodable, Sendable {
    var id: UUID
    var name: String
    var code: String
    var priceCents: Int
    var currency: String
    var billingPeriod: String
    var tier: Int
    var isActive: Bool
    var stripeProductID: String?
    var stripePriceID: String?
    var createdAt: Date
    var features: String
    var limits: String

    var model: Plan {
        let model = Plan()
        model.id = id
        model.name = name
        model.code = code
        model.priceCents = priceCents
        model.currency = currency
        model.billingPeriod = billingPeriod
        model.tier = tier
        model.isActive = isActive
        model.stripeProductID = stripeProductID
        model.stripePriceID = stripePriceID
        model.createdAt = createdAt
        model.featuresJSON = features
        model.limitsJSON = limits
        return model
    }

    enum CodingKeys: String, CodingKey {
        case id, name, code, currency, tier, features, limits
        case priceCents = "price_cents"
        case billingPeriod = "billing_period"
        case isActive = "is_active"
        case stripeProductID = "stripe_product_id"
        case stripePriceID = "stripe_price_id"
        case createdAt = "created_at"
    }
}

/// The contract's plan object.
public struct PlanResponse: Codable, Sendable, Equatable {
    /// Lower-case UUID text.
    public let id: String
    public let name: String
    public let code: String
    public let priceCents: Int
    public let currency: String
    public let billingPeriod: String
    public let tier: Int
    public let isActive: Bool
    /// The feature names the plan entitles to (gateway routes may require one).
    public let features: [String]
    /// The plan's limits by name.
    public let limits: [String: Int]

    init(
        id: String, name: String, code: String, priceCents: Int, currency: String, billingPeriod: String, tier: Int,
        isActive: Bool, features: [String] = [], limits: [String: Int] = [:]
    ) {
        self.id = id
        self.name = name
        self.code = code
        self.priceCents = priceCents
        self.currency = currency
        self.billingPeriod = billingPeriod
        self.tier = tier
        self.isActive = isActive
        self.features = features
        self.limits = limits
    }

    init(_ plan: Plan) {
        id = (plan.id ?? UUID()).uuidString.lowercased()
        name = plan.name
        code = plan.code
        priceCents = plan.priceCents
        currency = plan.currency
        billingPeriod = plan.billingPeriod
        tier = plan.tier
        isActive = plan.isActive
        features = plan.features
        limits = plan.limits
    }

    enum CodingKeys: String, CodingKey {
        case id, name, code, currency, tier, features, limits
        case priceCents = "price_cents"
        case billingPeriod = "billing_period"
        case isActive = "is_active"
    }
}
