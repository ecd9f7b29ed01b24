import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// Password reset: a single-use, expiring link token (stored hashed) mailed through the outbox, and
/// its use, which sets the password and ends every session of the account.
struct PasswordReset: Sendable {
    enum Outcome: Equatable {
        case reset(userID: UUID, endedSessions: [UUID])
        case invalidToken
    }

    let database: ServiceDatabase
    let hasher: PasswordHasher
    let sessions: SessionStore
    let audit: AuditLog
    let emails: SecurityEmails
    let outbox: EmailOutbox
    let publicURL: String
    let linkLifetime: Duration
    let allowance: MailAllowance
    let passwords: PasswordPolicy

    /// Queues a reset email when `email` belongs to an active account that has not had its
    /// allowance of them; true when it did. Only the newest link of an account works.
    func request(email: String, from request: ServiceRequest?) async throws -> Bool {
        guard let user = try await User.withEmail(email, on: database.database), user.isActive,
            let userID = user.id, try await allowance.allows(.resetPassword, to: userID, request: request)
        else { return false }
        let token = SecureRandom.token()
        try await database.database.transaction { db in
            try await VerificationToken.query(on: db)
                .filter(\.$userID == userID)
                .filter(\.$purpose == VerificationToken.Purpose.resetPassword.rawValue)
                .filter(\.$usedAt == nil)
                .delete()
            try await VerificationToken(
                userID: userID, purpose: .resetPassword, tokenHash: TokenHash.of(token), lifetime: linkLifetime
            ).create(on: db)
            try await outbox.enqueue(
                EmailCommand.resetPassword(
                    to: user.email, username: user.username, resetURL: "\(publicURL)/reset-password?token=\(token)",
                    minutes: Int(linkLifetime.components.seconds / 60)),
                on: db)
            try await audit.record(.passwordResetRequested, userID: userID, request: request, on: db)
        }
        return true
    }

    /// Uses a link token to set `password`. The token is claimed with a compare-and-set, so of two
    /// concurrent uses exactly one succeeds; a password the policy refuses leaves the token unused.
    func complete(token: String, password: String, from request: ServiceRequest?, now: Date = Date()) async throws
        -> Outcome
    {
        // What can be judged before the account is known; the rest once it is.
        if let problem = passwords.problem(password, email: "", username: "") {
            throw ValidationFailure(field: "password", problem)
        }
        // Hashed before the token is looked at, so a bad token costs the same time as a good one.
        let newHash = try await hasher.hash(password)
        return try await database.database.transaction { db in
            guard let sql = db as? any SQLDatabase else { return .invalidToken }
            guard let userID = try await VerificationToken.claim(token, purpose: .resetPassword, now: now, on: sql),
                let user = try await User.find(userID, on: db), user.isActive
            else { return .invalidToken }
            if let problem = passwords.problem(password, email: user.email, username: user.username) {
                throw ValidationFailure(field: "password", problem)
            }
            user.passwordHash = newHash
            // The link reached the mailbox, which is what verification proves.
            user.isVerified = true
            try await user.save(on: db)
            let ended = try await sessions.endAll(of: userID, on: db, now: now)
            try await audit.record(.passwordReset, userID: userID, request: request, on: db)
            try await emails.passwordChanged(email: user.email, username: user.username, request: request, on: db)
            return .reset(userID: userID, endedSessions: ended)
        }
    }
}
