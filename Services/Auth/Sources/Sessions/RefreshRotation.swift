import FluentKit
import Foundation
import SQLKit
import TollgatePersistence
import TollgateSecurity

/// What presenting a refresh token leads to.
enum RefreshOutcome: Sendable, Equatable {
    /// The session's current refresh token after this request: a new one, or the very one an
    /// earlier rotation of the same token gave.
    case rotated(sessionID: UUID, userID: UUID, refreshToken: String)
    /// Unknown, expired, or its session has ended.
    case invalid
    /// A rotated token came back when it may not (its successor was used, or the grace passed):
    /// someone else may hold the session, so the whole session has been ended.
    case reuseDetected(sessionID: UUID, userID: UUID)
}

/// Refresh-token rotation, idempotent for the token just rotated. Each session's refreshes take
/// turns (a row lock), and a token is rotated once: its successor is stored by hash, and also
/// sealed under the rotated token itself (`SuccessorSeal`). Presenting the rotated token again
/// answers that same successor — tabs refreshing at once, or a client retrying a refresh whose
/// answer was lost — as long as the successor has not been used and no more than `grace` has
/// passed since the rotation (it must outlast the gateway's timeout, so a client that got a 504
/// can retry). Anything else from a rotated token (an older generation, a successor already used,
/// a late replay) ends the session.
struct RefreshRotation: Sendable {
    let database: ServiceDatabase
    let sessions: SessionStore
    let refreshTokenLifetime: Duration
    let grace: Duration

    func rotate(_ presented: String, now: Date) async throws -> RefreshOutcome {
        try await database.database.transaction { db in
            guard let sql = db as? any SQLDatabase,
                let found = try await RefreshToken.query(on: db).filter(\.$tokenHash == TokenHash.of(presented)).first()
            else { return .invalid }
            // Refreshes of one session take turns (PostgreSQL row lock; SQLite has one writer anyway),
            // so each sees what the one before it committed.
            _ = try await sql.select().column("id").from(Session.schema)
                .where("id", .equal, found.sessionID).for(.update).all()
            guard let token = try await RefreshToken.find(found.id, on: db), let tokenID = token.id,
                let session = try await Session.find(token.sessionID, on: db), let sessionID = session.id,
                session.revokedAt == nil, session.expiresAt > now, token.expiresAt > now
            else { return .invalid }

            guard let rotatedAt = token.revokedAt else {
                let fresh = try await rotate(token, id: tokenID, presented: presented, sessionID: sessionID, on: sql, now: now)
                return .rotated(sessionID: sessionID, userID: session.userID, refreshToken: fresh)
            }
            if now.timeIntervalSince(rotatedAt) <= TimeInterval(grace.components.seconds),
                let successorID = token.replacedBy, let sealed = token.successorSealed,
                let successor = try await RefreshToken.find(successorID, on: db), successor.revokedAt == nil,
                let again = SuccessorSeal.open(sealed, under: presented, tokenID: tokenID)
            {
                return .rotated(sessionID: sessionID, userID: session.userID, refreshToken: again)
            }
            try await sessions.end(sessionID, userID: session.userID, on: db, now: now)
            return .reuseDetected(sessionID: sessionID, userID: session.userID)
        }
    }

    /// Marks the live `token` rotated and stores its successor (by hash, and sealed under `presented`).
    private func rotate(
        _ token: RefreshToken, id tokenID: UUID, presented: String, sessionID: UUID, on sql: any SQLDatabase, now: Date
    ) async throws -> String {
        let successor = SecureRandom.token()
        let successorID = UUID()
        try await RefreshToken.insert(
            id: successorID, sessionID: sessionID, tokenHash: TokenHash.of(successor), lifetime: refreshTokenLifetime,
            now: now, on: sql)
        try await sql.update(RefreshToken.schema)
            .set("revoked_at", to: now)
            .set("replaced_by", to: successorID)
            .set("successor_sealed", to: try SuccessorSeal.seal(successor, under: presented, tokenID: tokenID))
            .where("id", .equal, tokenID)
            .run()
        // The token just used is no longer anyone's answer: its parent stops holding it.
        try await sql.update(RefreshToken.schema)
            .set("successor_sealed", to: SQLLiteral.null)
            .where("replaced_by", .equal, tokenID)
            .run()
        try await sql.update(Session.schema).set("last_used_at", to: now).where("id", .equal, sessionID).run()
        return successor
    }
}
