/// A named limit: at most `limit` requests per `window` for each key.
public struct RateLimitPolicy: Sendable, Equatable {
    public let name: String
    public let limit: Int
    public let window: Duration
    public let key: RateLimitKey

    public init(name: String, limit: Int, window: Duration, key: RateLimitKey) {
        self.name = name
        self.limit = limit
        self.window = window
        self.key = key
    }

    init(name: String, from policy: RoutesFile.Policy) {
        self.init(name: name, limit: policy.limit, window: .seconds(policy.windowSeconds), key: policy.key)
    }
}
