import ServiceLifecycle
import TollgateMessaging

/// Hands every message on `subject` to `handle`, in order, until shutdown. No queue group: every
/// instance of a service hears every message (cache evictions, key reloads).
public struct BroadcastListener: Service {
    let connection: NatsConnection
    let subject: String
    let handle: @Sendable (NatsMessage) async -> Void

    public init(connection: NatsConnection, subject: String, handle: @escaping @Sendable (NatsMessage) async -> Void) {
        self.connection = connection
        self.subject = subject
        self.handle = handle
    }

    public func run() async throws {
        let subscription = try connection.subscribe(subject)
        await cancelWhenGracefulShutdown {
            for await message in subscription { await handle(message) }
        }
        subscription.unsubscribe()
    }
}
