/// What one identity may do on the bus, as nats-server's permission lists say it: it may publish
/// only to `publish`, subscribe only to `subscribe`, and — with `allowResponses` — answer the
/// requests it receives, and nothing else.
public struct NatsPermissions: Sendable, Equatable {
    public var publish: [String]
    public var subscribe: [String]
    public var allowResponses: Bool

    public init(publish: [String], subscribe: [String], allowResponses: Bool) {
        self.publish = publish
        self.subscribe = subscribe
        self.allowResponses = allowResponses
    }
}
