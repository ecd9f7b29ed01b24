import FluentKit
import Foundation

/// An account. Email and username are unique in their canonical form (see `CanonicalForm`).
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "email") public var email: String
    @Field(key: "email_canonical") public var emailCanonical: String
    @Field(key: "username") public var username: String
    @Field(key: "username_canonical") public var usernameCanonical: String
    @OptionalField(key: "password_hash") public var passwordHash: String?
    @Field(key: "provider") public var provider: String
    @Field(key: "is_active") public var isActive: Bool
    @Field(key: "is_verified") public var isVerified: Bool
    @Field(key: "is_admin") public var isAdmin: Bool
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(email: String, username: String, passwordHash: String?, provider: String = "local") {
        self.id = UUID()
        // Stored as `EmailAddress` normalizes it (an internationalised domain in its xn-- form).
        self.email = EmailAddress.normalized(email) ?? email.trimmingCharacters(in: .whitespacesAndNewlines)
        self.emailCanonical = CanonicalForm.email(email)
        self.username = username
        self.usernameCanonical = CanonicalForm.of(username)
        self.passwordHash = passwordHash
        self.provider = provider
        self.isActive = true
        self.isVerified = false
        self.isAdmin = false
        self.createdAt = Date()
    }

    public var role: String { isAdmin ? "admin" : "user" }

    /// The account an email address belongs to, compared in canonical form.
    static func withEmail(_ email: String, on db: any Database) async throws -> User? {
        try await User.query(on: db).filter(\.$emailCanonical == CanonicalForm.email(email)).first()
    }
}

/// The contract's user object: `{id, email, username, provider}`. Never a hash or a token.
public struct UserResponse: Codable, Sendable, Equatable {
    /// Lower-case UUID text.
    public let id: String
    public let email: String
    public let username: String
    public let provider: String

    public init(_ user: User) {
        self.init(
            id: (user.id ?? UUID()).uuidString.lowercased(), email: user.email, username: user.username,
            provider: user.provider)
    }

    init(id: String, email: String, username: String, provider: String) {
        self.id = id
        self.email = email
        self.username = username
        self.provider = provider
    }
}
