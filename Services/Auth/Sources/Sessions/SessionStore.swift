import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// The writes that end sessions; callers then tell the gateways (`RevocationPublisher`).
struct SessionStore: Sendable {
    let database: ServiceDatabase

    /// Ends one session and its refresh tokens. Returns false when it was not live.
    @discardableResult
    func end(_ sessionID: UUID, userID: UUID, on db: (any Database)? = nil, now: Date = Date()) async throws -> Bool {
        let db = db ?? database.database
        let ended = try await Session.query(on: db)
            .filter(\.$id == sessionID).filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .count()
        try await Session.query(on: db)
            .filter(\.$id == sessionID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
        try await RefreshToken.query(on: db)
            .filter(\.$sessionID == sessionID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
        return ended > 0
    }

    /// Ends every live session of a user but `kept`; returns the ids it ended.
    func endAll(
        of userID: UUID, except kept: UUID? = nil, on db: (any Database)? = nil, now: Date = Date()
    ) async throws -> [UUID] {
        let db = db ?? database.database
        let ids = try await Session.query(on: db)
            .filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .all()
            .compactMap(\.id).filter { $0 != kept }
        for id in ids { try await end(id, userID: userID, on: db, now: now) }
        return ids
    }
}
