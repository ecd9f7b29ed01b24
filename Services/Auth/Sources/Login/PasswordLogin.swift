import FluentKit
import Foundation
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// Checks an email and password. Unknown emails still pay for one Argon2 verification, and an
/// inactive account is refused only after a correct password, so no answer reveals who is
/// registered. Repeated failures for one email are throttled (`LoginThrottle`); every outcome is
/// audited.
struct PasswordLogin: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let audit: AuditLog

    func authenticate(email: String, password: String, from request: ServiceRequest?) async throws -> User {
        let user = try await User.withEmail(email, on: database.database)
        if let wait = try await throttle.retryAfter(email: email) {
            try await audit.record(.loginThrottled, userID: user?.id, request: request, detail: "method=password")
            throw AuthError.tooManyAttempts(retryAfterSeconds: wait)
        }
        guard let user, let hash = user.passwordHash else {
            _ = await hasher.verifyAgainstDummy(password)
            try await fail(email, user: user, reason: user == nil ? "unknown_email" : "no_password", request)
        }
        guard await hasher.verify(password, against: hash) else {
            try await fail(email, user: user, reason: "wrong_password", request)
        }
        guard user.isActive else {
            try await audit.record(.loginFailed, userID: user.id, request: request, detail: "method=password reason=inactive")
            throw AuthError.inactiveAccount
        }
        try await throttle.recordSuccess(email: email)
        if hasher.needsRehash(hash) {
            user.passwordHash = try await hasher.hash(password)
            try await user.save(on: database.database)
        }
        try await audit.record(.loginSucceeded, userID: user.id, request: request, detail: "method=password")
        return user
    }

    private func fail(_ email: String, user: User?, reason: String, _ request: ServiceRequest?) async throws -> Never {
        try await throttle.recordFailure(email: email)
        try await audit.record(.loginFailed, userID: user?.id, request: request, detail: "method=password reason=\(reason)")
        throw AuthError.invalidCredentials
    }
}
