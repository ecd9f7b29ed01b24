/// What a user's subscriptions currently entitle them to, as Billing writes it to the entitlements
/// bucket (key: the user id in lower-case text) and gateways read it for `tier:` and `feature:`
/// routes and the identity headers of upstream routes.
public struct Entitlement: Codable, Sendable, Equatable {
    /// 0 free, 1 pro, 2 vip: higher means more access.
    public let tier: Int
    /// Unix seconds at which that access ends; the gateway refuses after it even if Billing has not
    /// yet written the change.
    public let accessUntil: Int64?
    /// The code of the plan giving it (nil: no plan gives access).
    public let plan: String?
    /// The plan's feature names.
    public let features: [String]
    /// The plan's limits, by name.
    public let limits: [String: Int]

    public init(tier: Int, accessUntil: Int64?, plan: String? = nil, features: [String] = [], limits: [String: Int] = [:]) {
        self.tier = tier
        self.accessUntil = accessUntil
        self.plan = plan
        self.features = features
        self.limits = limits
    }

    /// Values written before plans had features and limits read as having none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tier = try container.decode(Int.self, forKey: .tier)
        accessUntil = try container.decodeIfPresent(Int64.self, forKey: .accessUntil)
        plan = try container.decodeIfPresent(String.self, forKey: .plan)
        features = try container.decodeIfPresent([String].self, forKey: .features) ?? []
        limits = try container.decodeIfPresent([String: Int].self, forKey: .limits) ?? [:]
    }

    enum CodingKeys: String, CodingKey {
        case tier, plan, features, limits
        case accessUntil = "access_until"
    }
}
