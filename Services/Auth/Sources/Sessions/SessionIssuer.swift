import FluentKit
import SQLKit
import Foundation
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// What a successful sign-in hands the client: an access token and a refresh token for its cookie.
struct IssuedSession: Sendable {
    let accessToken: String
    let refreshToken: String
    let sessionID: UUID
}

/// Starts sessions: a session row, its first refresh token (stored hashed), the sign-in's audit
/// record, all in one transaction, and an access token.
struct SessionIssuer: Sendable {
    /// How the user proved who they are, for the audit trail.
    enum Method: String, Sendable {
        case password, code
    }

    let database: ServiceDatabase
    let tokens: AccessTokenIssuer
    let audit: AuditLog
    let emails: SecurityEmails
    let sessionLifetime: Duration
    let refreshTokenLifetime: Duration

    func start(for account: Account, by method: Method, from request: ServiceRequest, now: Date = Date()) async throws
        -> IssuedSession
    {
        let sessionID = UUID()
        let refreshToken = SecureRandom.token()
        let session = SessionRow(
            id: sessionID, user_id: account.id, created_at: now, last_used_at: now,
            expires_at: now.addingTimeInterval(TimeInterval(sessionLifetime.components.seconds)),
            user_agent: request.userAgent.map { String($0.prefix(512)) }, ip: request.clientIP)
        let token = RefreshTokenRow(
            id: UUID(), session_id: sessionID, token_hash: TokenHash.of(refreshToken), created_at: now,
            expires_at: now.addingTimeInterval(TimeInterval(refreshTokenLifetime.components.seconds)))
        try await database.database.transaction { transaction in
            guard let sql = transaction as? any SQLDatabase else { throw AuthError.userNotFound }
            try await sql.insert(into: Session.schema).model(session).run()
            try await sql.insert(into: RefreshToken.schema).model(token).run()
            try await audit.record(
                .loginSucceeded, userID: account.id, request: request, detail: "method=\(method.rawValue)", on: transaction)
            try await emails.newSignIn(email: account.email, username: account.username, request: request, on: transaction)
        }
        if emails.newSignInEnabled { emails.wake() }
        let accessToken = try await tokens.issue(userID: account.id, sessionID: sessionID, role: account.role)
        return IssuedSession(accessToken: accessToken, refreshToken: refreshToken, sessionID: sessionID)
    }

    /// Rows written without model reflection (sign-ins are hot); columns as in `Session`/`RefreshToken`.
    private struct SessionRow: Encodable {
        let id: UUID
        let user_id: UUID
        let created_at: Date
        let last_used_at: Date
        let expires_at: Date
        let user_agent: String?
        let ip: String?
    }

    private struct RefreshTokenRow: Encodable {
        let id: UUID
        let session_id: UUID
        let token_hash: String
        let created_at: Date
        let expires_at: Date
    }
}
