import FluentKit
import SQLKit
import Foundation
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// Checks an email and password. Unknown emails still pay for one Argon2 verification, and an
/// inactive account is refused only after a correct password, so no answer reveals who is
/// registered. Repeated failures for one email are throttled (`LoginThrottle`); failures are
/// audited here, successes where the session starts (`SessionIssuer`).
struct PasswordLogin: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let audit: AuditLog
    /// A password sign-in lifts the pause on sign-in codes that too many wrong codes caused.
    let counters: AccountCounters

    func authenticate(email: String, password: String, from request: ServiceRequest?) async throws -> Account {
        let lookup = try await SignInLookup.fetch(email, on: database.sql)
        let user = lookup?.account
        let standing = throttle.standing(failures: lookup?.failures, lastFailureAt: lookup?.last_failure_at)
        if let wait = standing.retryAfter {
            try await audit.record(.loginThrottled, userID: user?.id, request: request, detail: "method=password")
            throw AuthError.tooManyAttempts(retryAfterSeconds: wait)
        }
        guard let user, let hash = user.password_hash else {
            _ = try await hasher.verifyAgainstDummy(password)
            try await fail(email, user: user, reason: user == nil ? "unknown_email" : "no_password", request)
        }
        guard try await hasher.verify(password, against: hash) else {
            try await fail(email, user: user, reason: "wrong_password", request)
        }
        guard user.is_active else {
            try await audit.record(.loginFailed, userID: user.id, request: request, detail: "method=password reason=inactive")
            throw AuthError.inactiveAccount
        }
        if standing.hasFailures { try await throttle.recordSuccess(email: email) }
        if lookup?.code_guesses != nil { try await counters.reset(AccountCounters.codeGuesses(email: email)) }
        if hasher.needsRehash(hash) {
            try await database.sql.update(User.schema)
                .set("password_hash", to: try await hasher.hash(password))
                .where("id", .equal, user.id)
                .run()
        }
        return user
    }

    private func fail(_ email: String, user: Account?, reason: String, _ request: ServiceRequest?) async throws -> Never {
        try await throttle.recordFailure(email: email)
        try await audit.record(.loginFailed, userID: user?.id, request: request, detail: "method=password reason=\(reason)")
        throw AuthError.invalidCredentials
    }
}
