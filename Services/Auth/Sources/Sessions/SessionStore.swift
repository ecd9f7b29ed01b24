import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// The writes that end sessions, each with its revocation for the gateways in the same
/// transaction; callers then `revocations.deliver()` once committed.
struct SessionStore: Sendable {
    let database: ServiceDatabase
    let revocations: RevocationOutbox

    /// Ends one session and its refresh tokens. Returns false when it was not live.
    @discardableResult
    func end(_ sessionID: UUID, userID: UUID, on db: (any Database)? = nil, now: Date = Date()) async throws -> Bool {
        guard let db else {
            return try await database.database.transaction { try await end(sessionID, userID: userID, on: $0, now: now) }
        }
        let ended = try await Session.query(on: db)
            .filter(\.$id == sessionID).filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .count()
        try await Session.query(on: db)
            .filter(\.$id == sessionID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
        try await RefreshToken.query(on: db)
            .filter(\.$sessionID == sessionID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
        if ended > 0 { try await revocations.revokeSession(sessionID, at: now, on: db) }
        return ended > 0
    }

    /// Ends every live session of a user but `kept`; returns the ids it ended.
    func endAll(
        of userID: UUID, except kept: UUID? = nil, on db: (any Database)? = nil, now: Date = Date()
    ) async throws -> [UUID] {
        guard let db else {
            return try await database.database.transaction { try await endAll(of: userID, except: kept, on: $0, now: now) }
        }
        let ids = try await Session.query(on: db)
            .filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .all()
            .compactMap(\.id).filter { $0 != kept }
        for id in ids { try await end(id, userID: userID, on: db, now: now) }
        return ids
    }
}
