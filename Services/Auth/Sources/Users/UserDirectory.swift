import FluentKit
import Foundation
import Logging
import SQLKit
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit

/// Reads users for `/me` through a short-lived cache, and is where every change to a user's row
/// is announced: `changed(_:)` must follow each committed write to `users`, so that no Auth
/// instance keeps answering with the old row.
struct UserDirectory: Sendable {
    let database: ServiceDatabase
    let cache: UserCache
    let connection: NatsConnection
    let subjects: Subjects
    let logger: Logger

    /// The columns `/me` needs, read with one SQL statement: model hydration cost more than the query.
    private struct Row: Decodable {
        let email: String
        let username: String
        let provider: String
        let is_active: Bool
    }

    func user(_ id: UUID) async throws -> CachedUser? {
        if let cached = cache.user(id) { return cached }
        let row = try await database.sql
            .select().columns("email", "username", "provider", "is_active")
            .from(User.schema)
            .where("id", .equal, id)
            .first(decoding: Row.self)
        guard let row else { return nil }
        let user = CachedUser(
            response: UserResponse(
                id: id.uuidString.lowercased(), email: row.email, username: row.username, provider: row.provider),
            isActive: row.is_active)
        cache.store(user, for: id)
        return user
    }

    /// Forgets the user here and tells every other Auth instance to forget it too.
    func changed(_ id: UUID) {
        cache.evict(id)
        do {
            try connection.publish(subjects.authUserChanged, payload: Data(id.uuidString.utf8))
        } catch {
            logger.warning("could not announce a user change", metadata: ["user": "\(id)", "error": "\(error)"])
        }
    }

    /// Evicts users other instances announce as changed (every instance listens).
    func changeListener() -> BroadcastListener {
        BroadcastListener(connection: connection, subject: subjects.authUserChanged) { [cache] message in
            if let id = UUID(uuidString: String(decoding: message.payload, as: UTF8.self)) { cache.evict(id) }
        }
    }
}
