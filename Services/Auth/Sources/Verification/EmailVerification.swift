import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateSecurity

/// Email verification: link tokens (stored hashed, expiring) sent through the outbox, and their use.
struct EmailVerification: Sendable {
    enum Outcome: Equatable {
        case verified
        case alreadyVerified
        case invalidToken
    }

    let database: ServiceDatabase
    let outbox: EmailOutbox
    let publicURL: String
    let linkLifetime: Duration

    /// Adds a fresh link token and its email to `db` (the caller's transaction).
    func queueEmail(for user: User, on db: any Database) async throws {
        guard let userID = user.id else { return }
        let token = SecureRandom.token()
        try await VerificationToken(
            userID: userID, purpose: .verifyEmail, tokenHash: TokenHash.of(token), lifetime: linkLifetime
        ).create(on: db)
        try await outbox.enqueue(
            EmailCommand.verifyEmail(
                to: user.email, username: user.username, verifyURL: "\(publicURL)/verify?token=\(token)"),
            on: db)
    }

    /// Sends a new link unless the account is verified already. Nil when the user does not exist.
    func resend(to userID: UUID) async throws -> Outcome? {
        guard let user = try await User.find(userID, on: database.database) else { return nil }
        if user.isVerified { return .alreadyVerified }
        try await database.database.transaction { db in try await queueEmail(for: user, on: db) }
        return .verified
    }

    /// Uses a link token. Using it again once the account is verified answers `alreadyVerified`.
    func verify(token: String, now: Date = Date()) async throws -> (Outcome, UUID?) {
        try await database.database.transaction { db in
            guard let link = try await VerificationToken.query(on: db)
                .filter(\.$tokenHash == TokenHash.of(token))
                .filter(\.$purpose == VerificationToken.Purpose.verifyEmail.rawValue)
                .first(),
                let user = try await User.find(link.userID, on: db)
            else { return (.invalidToken, nil) }
            if user.isVerified { return (.alreadyVerified, user.id) }
            guard link.usedAt == nil, link.expiresAt > now else { return (.invalidToken, nil) }
            link.usedAt = now
            try await link.save(on: db)
            user.isVerified = true
            try await user.save(on: db)
            return (.verified, user.id)
        }
    }
}
