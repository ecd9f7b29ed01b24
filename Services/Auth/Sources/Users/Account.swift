import FluentKit
import Foundation
import SQLKit

/// The columns a sign-in needs, read with one SQL statement: sign-ins are hot, and Fluent's model
/// hydration (reflection) cost more per sign-in than everything else but the password hash.
struct Account: Decodable, Sendable {
    let id: UUID
    let email: String
    let username: String
    let provider: String
    let password_hash: String?
    let is_active: Bool
    let is_admin: Bool

    var role: String { is_admin ? "admin" : "user" }

    var response: UserResponse {
        UserResponse(id: id.uuidString.lowercased(), email: email, username: username, provider: provider)
    }

    static func withEmail(_ email: String, on sql: any SQLDatabase) async throws -> Account? {
        try await sql.select()
            .columns("id", "email", "username", "provider", "password_hash", "is_active", "is_admin")
            .from(User.schema)
            .where("email_canonical", .equal, CanonicalForm.of(email))
            .first(decoding: Account.self)
    }
}

extension Account {
    init(_ user: User) throws {
        guard let id = user.id else { throw AuthError.userNotFound }
        self.init(
            id: id, email: user.email, username: user.username, provider: user.provider,
            password_hash: user.passwordHash, is_active: user.isActive, is_admin: user.isAdmin)
    }
}
