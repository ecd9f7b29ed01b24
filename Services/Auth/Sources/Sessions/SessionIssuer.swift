import FluentKit
import Foundation
import TollgatePersistence
import TollgateSecurity

/// What a successful sign-in hands the client: an access token and a refresh token for its cookie.
struct IssuedSession: Sendable {
    let accessToken: String
    let refreshToken: String
    let sessionID: UUID
}

/// Starts sessions: a session row, its first refresh token (stored hashed) and an access token.
struct SessionIssuer: Sendable {
    let database: ServiceDatabase
    let tokens: AccessTokenIssuer
    let sessionLifetime: Duration
    let refreshTokenLifetime: Duration

    func start(for user: User, userAgent: String?, ip: String?) async throws -> IssuedSession {
        guard let userID = user.id else { throw AuthError.userNotFound }
        let session = Session(userID: userID, lifetime: sessionLifetime, userAgent: userAgent, ip: ip)
        let refreshToken = SecureRandom.token()
        try await database.database.transaction { transaction in
            try await session.create(on: transaction)
            guard let sessionID = session.id else { return }
            try await RefreshToken(
                sessionID: sessionID, tokenHash: TokenHash.of(refreshToken), lifetime: refreshTokenLifetime
            ).create(on: transaction)
        }
        guard let sessionID = session.id else { throw AuthError.userNotFound }
        let accessToken = try await tokens.issue(userID: userID, sessionID: sessionID, role: user.role)
        return IssuedSession(accessToken: accessToken, refreshToken: refreshToken, sessionID: sessionID)
    }
}
