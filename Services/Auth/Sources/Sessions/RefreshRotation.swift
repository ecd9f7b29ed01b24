import FluentKit
import Foundation
import SQLKit
import TollgatePersistence
import TollgateSecurity

/// What presenting a refresh token leads to.
enum RefreshOutcome: Sendable, Equatable {
    /// A new refresh token (the presented one, or the session's live one, is now rotated).
    case rotated(sessionID: UUID, userID: UUID, refreshToken: String)
    /// Unknown, expired, or its session has ended.
    case invalid
    /// A token rotated longer ago than the grace window came back: someone else may hold the
    /// session, so the whole session has been ended.
    case reuseDetected(sessionID: UUID, userID: UUID)
}

/// Refresh-token rotation. Each use claims the token with a compare-and-set (`revoked_at IS NULL`)
/// before writing its successor, so every session has at most one live token however many requests
/// race. A rotated token presented again within `grace` (two tabs refreshing at once) rotates the
/// session's live token instead; after `grace` it ends the session.
struct RefreshRotation: Sendable {
    let database: ServiceDatabase
    let sessions: SessionStore
    let refreshTokenLifetime: Duration
    let grace: Duration

    func rotate(_ presented: String, now: Date = Date()) async throws -> RefreshOutcome {
        try await database.database.transaction { db in
            guard let found = try await RefreshToken.query(on: db).filter(\.$tokenHash == TokenHash.of(presented)).first(),
                let tokenID = found.id
            else { return .invalid }
            // Refreshes of one session take turns (PostgreSQL row lock; SQLite has one writer anyway),
            // so the rules below see each other's results instead of racing on them.
            if let sql = db as? any SQLDatabase {
                _ = try await sql.select().column("id").from(Session.schema)
                    .where("id", .equal, found.sessionID).for(.update).all()
            }
            guard let token = try await RefreshToken.find(tokenID, on: db),
                let session = try await Session.find(token.sessionID, on: db), let sessionID = session.id,
                session.revokedAt == nil, session.expiresAt > now, token.expiresAt > now
            else { return .invalid }

            if token.revokedAt == nil, let fresh = try await claim(tokenID, sessionID: sessionID, on: db, now: now) {
                return .rotated(sessionID: sessionID, userID: session.userID, refreshToken: fresh)
            }
            // Rotated already (earlier, or a moment ago by a concurrent request): read what is committed.
            guard let current = try await RefreshToken.find(tokenID, on: db), let rotatedAt = current.revokedAt,
                current.replacedBy != nil
            else { return .invalid }
            guard now.timeIntervalSince(rotatedAt) <= TimeInterval(grace.components.seconds) else {
                try await sessions.end(sessionID, userID: session.userID, on: db, now: now)
                return .reuseDetected(sessionID: sessionID, userID: session.userID)
            }
            // Within the grace window: rotate whichever token is live now.
            for _ in 0..<8 {
                guard let live = try await RefreshToken.query(on: db)
                    .filter(\.$sessionID == sessionID).filter(\.$revokedAt == nil).first(),
                    let liveID = live.id
                else { return .invalid }
                if let fresh = try await claim(liveID, sessionID: sessionID, on: db, now: now) {
                    return .rotated(sessionID: sessionID, userID: session.userID, refreshToken: fresh)
                }
            }
            return .invalid
        }
    }

    /// Marks `tokenID` rotated if nobody else has, then stores its successor. Nil when it lost the race.
    private func claim(_ tokenID: UUID, sessionID: UUID, on db: any Database, now: Date) async throws -> String? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let successor = SecureRandom.token()
        let nextID = UUID()
        let claimed = try await sql.update(RefreshToken.schema)
            .set("revoked_at", to: now)
            .set("replaced_by", to: nextID)
            .where("id", .equal, tokenID)
            .where("revoked_at", .is, SQLLiteral.null)
            .returning("id")
            .all()
        guard !claimed.isEmpty else { return nil }
        try await RefreshToken.insert(
            id: nextID, sessionID: sessionID, tokenHash: TokenHash.of(successor), lifetime: refreshTokenLifetime, now: now,
            on: sql)
        try await Session.query(on: db).filter(\.$id == sessionID).set(\.$lastUsedAt, to: now).update()
        return successor
    }
}
