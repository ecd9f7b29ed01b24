import Logging
import TollgateMessaging
import TollgateServiceKit

/// Every Auth instance listens for `rotate-key`'s announcement and switches to the key set now in
/// its key folder; on failure it keeps signing with the old key.
enum SigningKeyReloader {
    static func listener(
        connection: NatsConnection, subject: String, store: SigningKeyStore, tokens: AccessTokenIssuer, logger: Logger
    ) -> BroadcastListener {
        BroadcastListener(connection: connection, subject: subject) { _ in
            do {
                try await tokens.use(try store.load())
                logger.info("signing keys reloaded", metadata: ["active": "\(tokens.activeKid)"])
            } catch {
                logger.error("could not reload signing keys; still signing with the old one", metadata: ["error": "\(error)"])
            }
        }
    }
}
