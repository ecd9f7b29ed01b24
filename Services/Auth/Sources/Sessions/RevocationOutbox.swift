import FluentKit
import Foundation
import Logging
import TollgateContracts
import TollgateMessaging
import TollgatePersistence

/// Tells every gateway to refuse the access tokens of a session or a user from now on, through the
/// revocations bucket they watch (by session and user id, never by token text). A revocation is a
/// row of the outbox written in the transaction that ends the session, so a committed logout
/// always reaches the bucket, however long JetStream is away.
struct RevocationOutbox: Sendable {
    let bucket: String
    /// The relay `deliver` wakes; nil where only the writes matter (a unit test of them).
    let relay: OutboxRelay?
    let logger: Logger
    /// How long a request waits for its revocations to be in the bucket before answering anyway
    /// (the relay keeps trying): long enough for a healthy bus, short enough for a missing one.
    var deliveryWait: Duration = .milliseconds(500)

    func revokeSession(_ sessionID: UUID, at date: Date = Date(), on db: any Database) async throws {
        try await enqueue(Revocation.sessionKey(sessionID.uuidString.lowercased()), date, on: db)
    }

    func revokeUser(_ userID: UUID, at date: Date = Date(), on db: any Database) async throws {
        try await enqueue(Revocation.userKey(userID.uuidString.lowercased()), date, on: db)
    }

    /// A demotion: the user's tokens that say `admin` stop opening admin routes; nothing else ends.
    func revokeAdminRole(_ userID: UUID, at date: Date = Date(), on db: any Database) async throws {
        try await enqueue(Revocation.adminRoleKey(userID.uuidString.lowercased()), date, on: db)
    }

    /// After the commit: has the relay publish now, and waits a little for it, so that in the usual
    /// case every gateway knows before the client has its answer.
    func deliver() async {
        guard let relay else { return }
        if await !relay.flush(within: deliveryWait) {
            logger.notice("revocation committed but not yet in the bucket; the outbox relay keeps trying")
        }
    }

    private func enqueue(_ key: String, _ date: Date, on db: any Database) async throws {
        try await OutboxMessage.enqueue(
            subject: KeyValueBucket.putSubject(bucket: bucket, key: key),
            payload: Revocation(revokedAt: Int64(date.timeIntervalSince1970)), on: db)
    }
}
