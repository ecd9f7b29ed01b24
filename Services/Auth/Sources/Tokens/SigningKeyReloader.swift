import Logging
import ServiceLifecycle
import TollgateMessaging

/// Every Auth instance listens (no queue group) for `rotate-key`'s announcement and switches to
/// the key set now in its key folder.
struct SigningKeyReloader: Service {
    let connection: NatsConnection
    let subject: String
    let store: SigningKeyStore
    let tokens: AccessTokenIssuer
    let logger: Logger

    func run() async throws {
        let subscription = try connection.subscribe(subject)
        await cancelWhenGracefulShutdown {
            for await _ in subscription {
                do {
                    try await tokens.use(try store.load())
                    logger.info("signing keys reloaded", metadata: ["active": "\(tokens.activeKid)"])
                } catch {
                    logger.error("could not reload signing keys; still signing with the old one", metadata: ["error": "\(error)"])
                }
            }
        }
        subscription.unsubscribe()
    }
}
