import FluentKit
import Foundation
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// `POST /change-password`: the old password must be right (403 otherwise); every other session
/// of the user ends, this one stays.
struct ChangePasswordHandler: Sendable {
    let database: ServiceDatabase
    let hasher: PasswordHasher
    let sessions: SessionStore
    let revocations: RevocationOutbox
    let audit: AuditLog
    let emails: SecurityEmails
    let passwords: PasswordPolicy

    struct Body: Codable {
        let old_password: String
        let new_password: String
    }

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let body = try request.decode(Body.self)
        guard let user = try await User.find(principal.userID, on: database.database), user.isActive else {
            throw AuthError.userNotFound.failure
        }
        if let problem = passwords.problem(body.new_password, email: user.email, username: user.username) {
            throw ValidationFailure(field: "new_password", problem)
        }
        guard let hash = user.passwordHash, try await hasher.verify(body.old_password, against: hash) else {
            throw HTTPFailure(403, "Old password isn't correct.")
        }
        let newHash = try await hasher.hash(body.new_password)
        try await database.database.transaction { db in
            user.passwordHash = newHash
            try await user.save(on: db)
            try await audit.record(.passwordChanged, userID: principal.userID, request: request, on: db)
            try await emails.passwordChanged(email: user.email, username: user.username, request: request, on: db)
            _ = try await sessions.endAll(of: principal.userID, except: UUID(uuidString: principal.sessionID), on: db)
        }
        emails.wake()
        await revocations.deliver()
        return .message(200, PasswordChange.succeeded)
    }
}
