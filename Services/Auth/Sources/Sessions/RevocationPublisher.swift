import Foundation
import TollgateContracts
import TollgateMessaging

/// Tells every gateway to refuse the access tokens of a session or a user from now on, through the
/// revocations bucket they watch (by session and user id, never by token text).
struct RevocationPublisher: Sendable {
    let bucket: KeyValueBucket

    func revokeSession(_ sessionID: UUID, at date: Date = Date()) async throws {
        try await put(Revocation.sessionKey(sessionID.uuidString.lowercased()), date)
    }

    func revokeUser(_ userID: UUID, at date: Date = Date()) async throws {
        try await put(Revocation.userKey(userID.uuidString.lowercased()), date)
    }

    /// A demotion: the user's tokens that say `admin` stop opening admin routes; nothing else ends.
    func revokeAdminRole(_ userID: UUID, at date: Date = Date()) async throws {
        try await put(Revocation.adminRoleKey(userID.uuidString.lowercased()), date)
    }

    private func put(_ key: String, _ date: Date) async throws {
        try await bucket.put(key, JSONEncoder().encode(Revocation(revokedAt: Int64(date.timeIntervalSince1970))))
    }
}
