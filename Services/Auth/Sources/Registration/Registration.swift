import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateSecurity

/// Creates an account with its empty profile and queues the "verify your email" message, all in
/// one transaction.
struct Registration: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher
    let verification: EmailVerification

    func register(_ input: RegisterRequest) async throws -> User {
        let username = input.username.trimmingCharacters(in: .whitespacesAndNewlines)
        let user = User(email: input.email, username: username, passwordHash: nil)
        // A quick check gives the clear answer in the common case (before paying for a hash); the
        // unique indexes decide races.
        if let taken = try await whichTaken(user) { throw taken }
        user.passwordHash = try await hasher.hash(input.password)
        do {
            try await database.database.transaction { transaction in
                try await user.create(on: transaction)
                guard let userID = user.id else { return }
                try await UserProfile(userID: userID).create(on: transaction)
                try await verification.queueEmail(for: user, on: transaction)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw try await whichTaken(user) ?? AuthError.emailTaken
        }
        return user
    }

    /// The contract's answer for a taken email (first) or username, or nil when both are free.
    private func whichTaken(_ user: User) async throws -> AuthError? {
        let taken = try await User.query(on: database.database)
            .group(.or) { group in
                group.filter(\.$emailCanonical == user.emailCanonical)
                    .filter(\.$usernameCanonical == user.usernameCanonical)
            }
            .all()
        if taken.contains(where: { $0.emailCanonical == user.emailCanonical }) { return .emailTaken }
        return taken.isEmpty ? nil : .usernameTaken
    }
}
