import FluentKit
import Foundation
import TollgatePersistence
import TollgateSecurity

/// Creates an administrator, or promotes an existing account (found by email) to one.
public struct AdminAccounts: Sendable {
    public enum Outcome: Equatable, Sendable {
        case created
        case promoted
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    let database: ServiceDatabase
    let hasher: PasswordHasher
    let passwords: PasswordPolicy

    public init(database: ServiceDatabase, hasher: PasswordHasher, passwords: PasswordPolicy) {
        self.database = database
        self.hasher = hasher
        self.passwords = passwords
    }

    public func createOrPromote(email: String, username: String, password: String?) async throws -> Outcome {
        if let existing = try await User.withEmail(email, on: database.database) {
            existing.isAdmin = true
            existing.isActive = true
            try await existing.save(on: database.database)
            return .promoted
        }
        var problems: [String] = []
        if let problem = InputRules.emailProblem(email) { problems.append("email: \(problem)") }
        if let problem = Username.problem(username) { problems.append("username: \(problem)") }
        guard let password else { throw Problem(description: "a new admin needs a password (stdin or TOLLGATE_ADMIN_PASSWORD)") }
        if let problem = passwords.problem(password, email: email, username: username) {
            problems.append("password: \(problem)")
        }
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "; ")) }
        let user = User(
            email: email.trimmingCharacters(in: .whitespacesAndNewlines),
            username: username.trimmingCharacters(in: .whitespacesAndNewlines),
            passwordHash: try await hasher.hash(password))
        user.isAdmin = true
        // The operator vouches for this address.
        user.isVerified = true
        do {
            try await database.database.transaction { db in
                try await user.create(on: db)
                guard let id = user.id else { return }
                try await UserProfile(userID: id).create(on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Problem(description: "that username is taken")
        }
        return .created
    }
}
