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
        case password, code, social
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
        try await database.database.transaction { transaction in
            guard let sql = transaction as? any SQLDatabase else { throw AuthError.userNotFound }
            try await Session.insert(
                id: sessionID, userID: account.id, lifetime: sessionLifetime, userAgent: request.userAgent,
                ip: request.clientIP, now: now, on: sql)
            try await RefreshToken.insert(
                id: UUID(), sessionID: sessionID, tokenHash: TokenHash.of(refreshToken), lifetime: refreshTokenLifetime,
                now: now, on: sql)
            try await audit.record(
                .loginSucceeded, userID: account.id, request: request, detail: "method=\(method.rawValue)", on: transaction)
            try await emails.newSignIn(email: account.email, username: account.username, request: request, on: transaction)
        }
        if emails.newSignInEnabled { emails.wake() }
        let accessToken = try await tokens.issue(userID: account.id, sessionID: sessionID, role: account.role)
        return IssuedSession(accessToken: accessToken, refreshToken: refreshToken, sessionID: sessionID)
    }
}
