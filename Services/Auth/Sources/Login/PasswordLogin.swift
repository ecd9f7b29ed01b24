import FluentKit
import Foundation
import TollgatePersistence
import TollgateSecurity

/// Checks an email and password. Unknown emails still pay for one Argon2 verification, and an
/// inactive account is refused only after a correct password, so no answer reveals who is registered.
struct PasswordLogin: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher

    func authenticate(email: String, password: String) async throws -> User {
        let user = try await User.query(on: database.database)
            .filter(\.$emailCanonical == CanonicalForm.of(email))
            .first()
        guard let user, let hash = user.passwordHash else {
            _ = await hasher.verifyAgainstDummy(password)
            throw AuthError.invalidCredentials
        }
        guard await hasher.verify(password, against: hash) else { throw AuthError.invalidCredentials }
        guard user.isActive else { throw AuthError.inactiveAccount }
        if hasher.needsRehash(hash) {
            user.passwordHash = try await hasher.hash(password)
            try await user.save(on: database.database)
        }
        return user
    }
}
