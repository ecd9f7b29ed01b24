import Foundation
import TollgateSecurity

/// One line of an import file: a user of the Python starter (or any system with Argon2id hashes).
/// Only `email` and `username` are required; `id` is kept so other services' references survive.
struct ImportedUser: Decodable, Sendable {
    let id: UUID?
    let email: String
    let username: String
    let password_hash: String?
    let provider: String?
    let is_active: Bool?
    let is_verified: Bool?
    let is_admin: Bool?
    let created_at: Date?
    let first_name: String?
    let last_name: String?
    let avatar_url: String?
    let bio: String?

    static let providers: Set<String> = ["local", "google", "github"]

    /// What is wrong with this record, or nil. Usernames are taken as the old system had them
    /// (Tollgate's stricter rules apply to new sign-ups only), but must be non-empty.
    func problem() -> String? {
        if let problem = InputRules.emailProblem(email) { return "email: \(problem)" }
        let name = username.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 150 { return "username: must be 1 to 150 characters" }
        if let provider, !Self.providers.contains(provider) { return "provider: must be local, google or github" }
        if let hash = password_hash, Argon2Parameters(phc: hash) == nil {
            return "password_hash: only Argon2id PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) can be imported"
        }
        return nil
    }

    func makeUser() -> User {
        let user = User(
            email: email.trimmingCharacters(in: .whitespacesAndNewlines),
            username: username.trimmingCharacters(in: .whitespacesAndNewlines),
            passwordHash: password_hash, provider: provider ?? "local")
        if let id { user.id = id }
        user.isActive = is_active ?? true
        user.isVerified = is_verified ?? false
        user.isAdmin = is_admin ?? false
        if let created_at { user.createdAt = created_at }
        return user
    }

    func makeProfile(userID: UUID) -> UserProfile {
        let profile = UserProfile(userID: userID)
        profile.firstName = first_name
        profile.lastName = last_name
        profile.avatarURL = avatar_url
        profile.bio = bio
        return profile
    }
}
