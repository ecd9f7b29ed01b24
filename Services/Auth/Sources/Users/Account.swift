import FluentKit
import Foundation
import SQLKit

/// The columns a sign-in needs, read with plain SQL (`SignInLookup`): sign-ins are hot, and Fluent's
/// model hydration (reflection) cost more per sign-in than everything else but the password hash.
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
}

/// One statement for everything a password sign-in reads first: the account (if any) and the
/// throttle's failure count for the email (if any).
struct SignInLookup: Decodable, Sendable {
    let id: UUID?
    let email: String?
    let username: String?
    let provider: String?
    let password_hash: String?
    let is_active: Bool?
    let is_admin: Bool?
    let failures: Int?
    let last_failure_at: Date?
    /// Wrong sign-in codes counted for the account (`AccountCounters`), if any.
    let code_guesses: Int?

    var account: Account? {
        guard let id, let email, let username, let provider, let is_active, let is_admin else { return nil }
        return Account(
            id: id, email: email, username: username, provider: provider, password_hash: password_hash,
            is_active: is_active, is_admin: is_admin)
    }

    static func fetch(_ email: String, on sql: any SQLDatabase) async throws -> SignInLookup? {
        try await sql.raw("""
            SELECT u.id, u.email, u.username, u.provider, u.password_hash, u.is_active, u.is_admin,
                   f.failures, f.last_failure_at, g.count AS code_guesses
            FROM (SELECT 1 AS probe) AS probe
            LEFT JOIN \(ident: User.schema) AS u ON u.email_canonical = \(bind: CanonicalForm.email(email))
            LEFT JOIN \(ident: LoginFailures.schema) AS f ON f.email_key = \(bind: LoginThrottle.key(for: email))
            LEFT JOIN \(ident: AccountCounters.schema) AS g ON g.counter_key = \(bind: AccountCounters.codeGuesses(email: email))
            """).first(decoding: SignInLookup.self)
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
