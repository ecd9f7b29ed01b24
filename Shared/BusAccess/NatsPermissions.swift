/// What one identity may do on the bus, as nats-server's permission lists say it: it may publish
/// only to `publish`, subscribe only to `subscribe`, and — with `allowResponses` — answer the
/// requests it receives, and nothing else.
public struct NatsPermissions: Sendable, Equatable {
    public var publish: [String]
    public var subscribe: [String]
    public var allowResponses: Bool

    public init(publish: [String], subscribe: [String], allowResponses: Bool) {
        // Lists are put together from per-job pieces that share subjects (`STREAM.INFO`, `STREAM.NAMES`).
        self.publish = Self.firstOfEach(publish)
        self.subscribe = Self.firstOfEach(subscribe)
        self.allowResponses = allowResponses
    }

    private static func firstOfEach(_ subjects: [String]) -> [String] {
        var seen = Set<String>()
        return subjects.filter { seen.insert($0).inserted }
    }
}
