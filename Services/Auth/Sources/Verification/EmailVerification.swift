import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit
import SQLKit

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
    let allowance: MailAllowance

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

    /// Sends a new link unless the account is verified already (or had its allowance of links:
    /// then nothing is sent, and the answer is the same). Nil when the user does not exist.
    func resend(to userID: UUID, request: ServiceRequest?) async throws -> Outcome? {
        guard let user = try await User.find(userID, on: database.database) else { return nil }
        if user.isVerified { return .alreadyVerified }
        if try await allowance.allows(.verifyEmail, to: userID, request: request) {
            try await database.database.transaction { db in try await queueEmail(for: user, on: db) }
        }
        return .verified
    }

    /// Uses a link token. The token is claimed with a compare-and-set, so of concurrent uses exactly
    /// one answers `verified` (on PostgreSQL as on SQLite); the others, and later uses once the
    /// account is verified, answer `alreadyVerified`.
    func verify(token: String, now: Date = Date()) async throws -> (Outcome, UUID?) {
        try await database.database.transaction { db in
            guard let sql = db as? any SQLDatabase else { return (.invalidToken, nil) }
            if let userID = try await VerificationToken.claim(token, purpose: .verifyEmail, now: now, on: sql) {
                let verified = try await sql.update(User.schema).set("is_verified", to: true)
                    .where("id", .equal, userID).where("is_verified", .equal, false).returning("id").all()
                return (verified.isEmpty ? .alreadyVerified : .verified, userID)
            }
            // Not claimed: used already (by a concurrent request, or earlier), expired, or unknown.
            guard let link = try await VerificationToken.query(on: db)
                .filter(\.$tokenHash == TokenHash.of(token))
                .filter(\.$purpose == VerificationToken.Purpose.verifyEmail.rawValue)
                .first(),
                let user = try await User.find(link.userID, on: db), user.isVerified
            else { return (.invalidToken, nil) }
            return (.alreadyVerified, user.id)
        }
    }
}
