/// What a user's subscriptions currently entitle them to, as Billing writes it to the entitlements
/// bucket (key: the user id in lower-case text) and gateways read it for `tier:` routes.
public struct Entitlement: Codable, Sendable, Equatable {
    /// 0 free, 1 pro, 2 vip: higher means more access.
    public let tier: Int
    /// Unix seconds at which that access ends; the gateway refuses after it even if Billing has not
    /// yet written the change.
    public let accessUntil: Int64?

    public init(tier: Int, accessUntil: Int64?) {
        self.tier = tier
        self.accessUntil = accessUntil
    }

    enum CodingKeys: String, CodingKey {
        case tier
        case accessUntil = "access_until"
    }
}
