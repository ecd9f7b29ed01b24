/// One billing period's count of a user's calls against one quota (`quota: api_calls` on a route),
/// as one gateway instance made it: a key of the usage bucket, whose value is the count in decimal.
/// Each instance writes only its own keys, so nothing is lost to two gateways writing at once; a
/// period's usage is the sum over instances. The period is named by its end (the entitlement's
/// `access_until`): a renewal starts a new key, and so a new count.
public struct QuotaUsageKey: Hashable, Sendable {
    /// The user id, lower-case.
    public let user: String
    /// Unix seconds at which the billing period ends.
    public let periodEnd: Int64
    /// The limit's name in the plan (`api_calls`).
    public let quota: String
    /// The gateway instance that counted (`TOLLGATE_GATEWAY_INSTANCE`).
    public let instance: String

    public init(user: String, periodEnd: Int64, quota: String, instance: String) {
        self.user = user.lowercased()
        self.periodEnd = periodEnd
        self.quota = quota
        self.instance = instance
    }

    /// `<user>.<period end>.<quota>.<instance>`.
    public var key: String { "\(user).\(periodEnd).\(quota).\(instance)" }

    /// Reads a key; nil for anything not written as `key` is (a bucket entry is untrusted text).
    public init?(key: String) {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let periodEnd = Int64(parts[1]), periodEnd > 0,
            Self.isToken(parts[0]), Self.isToken(parts[2]), Self.isToken(parts[3])
        else { return nil }
        self.init(user: String(parts[0]), periodEnd: periodEnd, quota: String(parts[2]), instance: String(parts[3]))
    }

    /// Keys of a key-value bucket are NATS subject tokens: letters, digits, `-` and `_` here.
    public static func isToken(_ text: some StringProtocol) -> Bool {
        (1...128).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The highest count there can be: the highest limit a plan may set.
    public static let maxCount = 1_000_000_000_000

    /// The count a value holds: a decimal 0…`maxCount`, else nil.
    public static func count(_ value: some Sequence<UInt8>) -> Int? {
        let text = String(decoding: Array(value), as: UTF8.self)
        guard text.count <= 13, text.allSatisfy(\.isASCII), let count = Int(text), (0...maxCount).contains(count) else {
            return nil
        }
        return count
    }
}
