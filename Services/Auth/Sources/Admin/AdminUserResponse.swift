import Foundation

/// A user as the admin API shows it: never a password hash or any token.
struct AdminUserResponse: Encodable, Sendable {
    let id: String
    let email: String
    let username: String
    let provider: String
    let isActive: Bool
    let isVerified: Bool
    let isAdmin: Bool
    let createdAt: Date

    init(
        id: String, email: String, username: String, provider: String, isActive: Bool, isVerified: Bool, isAdmin: Bool,
        createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.provider = provider
        self.isActive = isActive
        self.isVerified = isVerified
        self.isAdmin = isAdmin
        self.createdAt = createdAt
    }

    init(_ user: User) {
        id = (user.id ?? UUID()).uuidString.lowercased()
        email = user.email
        username = user.username
        provider = user.provider
        isActive = user.isActive
        isVerified = user.isVerified
        isAdmin = user.isAdmin
        createdAt = user.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, username, provider
        case isActive = "is_active"
        case isVerified = "is_verified"
        case isAdmin = "is_admin"
        case createdAt = "created_at"
    }
}
