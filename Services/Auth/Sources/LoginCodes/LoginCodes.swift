import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// Email sign-in codes: six digits, expiring, stored hashed, only the newest valid, consumed on use,
/// dead after `maxAttempts` checks.
struct LoginCodes: Sendable {
    enum Outcome: Sendable {
        case signedIn(User)
        case refused
        case inactive
    }

    static let maxAttempts = 5

    let database: ServiceDatabase
    let audit: AuditLog
    let outbox: EmailOutbox
    let lifetime: Duration
    let allowance: MailAllowance
    private var counters: AccountCounters { allowance.counters }
    private var limits: SecretLimits { allowance.limits }

    /// Six decimal digits, uniformly drawn (leading zeros kept).
    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
    }

    /// Bound to the account so one table row's hash says nothing about another's code.
    static func hash(_ code: String, userID: UUID) -> String {
        TokenHash.of("\(userID.uuidString.lowercased()):\(code)")
    }

    /// Mails a new code when `email` belongs to an active account, replacing any earlier one, and
    /// the account has not had `limits.sends` codes in the window.
    func send(to email: String, from request: ServiceRequest?) async throws -> Bool {
        guard let user = try await User.withEmail(email, on: database.database), user.isActive,
            let userID = user.id,
            try await allowance.allows(.loginCode, to: userID, request: request)
        else { return false }
        let code = Self.newCode()
        do {
            try await database.database.transaction { db in
                // Sends for one account take turns (PostgreSQL row lock), so each replaces the last
                // instead of colliding with it on the one-code-per-account index.
                if let sql = db as? any SQLDatabase {
                    _ = try await sql.select().column("id").from(User.schema).where("id", .equal, userID).for(.update).all()
                }
                try await LoginCode.query(on: db).filter(\.$userID == userID).delete()
                try await LoginCode(userID: userID, codeHash: Self.hash(code, userID: userID), lifetime: lifetime)
                    .create(on: db)
                try await outbox.enqueue(
                    EmailCommand.loginCode(
                        to: user.email, username: user.username, code: code,
                        minutes: Int(lifetime.components.seconds / 60)),
                    on: db)
                try await audit.record(.loginCodeSent, userID: userID, request: request, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A concurrent request for the same account stored its code first; that one stands.
            return false
        }
        return true
    }

    /// Checks a code. Each check is first counted against the account's wrong guesses (across all
    /// its codes: `limits.guesses` per window, then no code is evaluated until a password sign-in
    /// or the window's end), then takes one of the code's attempts with a compare-and-set, so no
    /// amount of concurrency gets more than `maxAttempts` guesses at a code; the right code is then
    /// deleted, and only the request whose delete removed it signs in.
    func redeem(email: String, code: String, from request: ServiceRequest?, now: Date = Date()) async throws
        -> Outcome
    {
        guard let user = try await User.withEmail(email, on: database.database), let userID = user.id else {
            return .refused
        }
        // Counted before the check and taken back if it was not a wrong guess, so concurrent
        // guesses cannot all slip under the cap.
        let guessKey = AccountCounters.codeGuesses(email: user.email)
        let guesses = try await counters.increment(guessKey, window: limits.guessWindow, now: now)
        guard guesses <= limits.guesses else {
            try await audit.record(.loginFailed, userID: userID, request: request, detail: "method=code reason=codes_locked")
            return .refused
        }
        let outcome = try await check(code, of: user, userID: userID, from: request, now: now)
        if outcome == .wrongGuess {
            if guesses == limits.guesses { try await lock(user, userID: userID, from: request) }
        } else {
            try await counters.decrement(guessKey)
        }
        switch outcome {
        case .wrongGuess, .noCode: return .refused
        case .inactive: return .inactive
        case .right: return .signedIn(user)
        }
    }

    private enum Check: Equatable {
        case right, wrongGuess, noCode, inactive
    }

    /// The account's codes stop working for the rest of the window: audited, and the owner told.
    private func lock(_ user: User, userID: UUID, from request: ServiceRequest?) async throws {
        try await database.database.transaction { db in
            try await audit.record(.loginCodesLocked, userID: userID, request: request, detail: "guesses=\(limits.guesses)", on: db)
            try await outbox.enqueue(
                EmailCommand.signInCodesLocked(
                    to: user.email, username: user.username, attempts: limits.guesses,
                    minutes: Int(limits.guessWindow.components.seconds / 60)),
                on: db)
        }
    }

    private func check(_ code: String, of user: User, userID: UUID, from request: ServiceRequest?, now: Date) async throws
        -> Check
    {
        let sql = database.sql
        let taken = try await sql.update(LoginCode.schema)
            .set("attempts", to: SQLRaw("attempts + 1"))
            .where("user_id", .equal, userID)
            .where("attempts", .lessThan, Self.maxAttempts)
            .where("expires_at", .greaterThan, now)
            .returning("code_hash")
            .all()
        guard let row = taken.first, let storedHash = try? row.decode(column: "code_hash", as: String.self) else {
            try await audit.record(.loginFailed, userID: userID, request: request, detail: "method=code reason=no_live_code")
            return .noCode
        }
        guard storedHash == Self.hash(code, userID: userID) else {
            try await audit.record(.loginFailed, userID: userID, request: request, detail: "method=code reason=wrong_code")
            return .wrongGuess
        }
        let consumed = try await sql.delete(from: LoginCode.schema)
            .where("user_id", .equal, userID)
            .where("code_hash", .equal, storedHash)
            .returning("id")
            .all()
        guard !consumed.isEmpty else { return .noCode }
        guard user.isActive else {
            try await audit.record(.loginFailed, userID: userID, request: request, detail: "method=code reason=inactive")
            return .inactive
        }
        if !user.isVerified {
            // The code reached the mailbox, which is what verification proves.
            user.isVerified = true
            try await user.save(on: database.database)
        }
        return .right
    }
}
