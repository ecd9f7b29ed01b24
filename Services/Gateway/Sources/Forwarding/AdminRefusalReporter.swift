import Foundation
import Logging
import Synchronization
import TollgateMessaging

/// Tells Auth that a signed-in user was refused an admin route, for its audit log. Sent with the
/// user's token (Auth believes the token, not the gateway) and not awaited: the refusal does not
/// wait for the record. Refusals come before rate limiting, so at most `maximumInFlight` reports
/// are under way at once and a flood of them is dropped rather than queued.
final class AdminRefusalReporter: Sendable {
    static let maximumInFlight = 16

    private let connection: NatsConnection
    private let subject: String
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)

    init(connection: NatsConnection, subject: String, logger: Logger) {
        self.connection = connection
        self.subject = subject
        self.logger = logger
    }

    /// `envelope`: the refused request as it would have been forwarded.
    func report(_ envelope: NatsHeaders, requestID: String) {
        guard inFlight.add(1, ordering: .relaxed).newValue <= Self.maximumInFlight else {
            inFlight.subtract(1, ordering: .relaxed)
            logger.debug("admin refusal not recorded: too many at once", metadata: ["request_id": "\(requestID)"])
            return
        }
        Task { [self] in
            defer { inFlight.subtract(1, ordering: .relaxed) }
            do {
                _ = try await connection.request(subject, payload: Data(), headers: envelope, timeout: .seconds(5))
            } catch {
                logger.warning("admin refusal not recorded", metadata: ["error": "\(error)", "request_id": "\(requestID)"])
            }
        }
    }
}
