import Foundation

/// A request on `Subjects.authAccountLookup`: which account another service needs to know about.
public struct AccountLookup: Codable, Sendable, Equatable {
    public let userID: UUID

    public init(userID: UUID) {
        self.userID = userID
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
    }
}

/// Auth's answer to an `AccountLookup`: the account's address and its current state (not the state
/// at sign-in), so a user who has just verified needs no new token.
public struct AccountSummary: Codable, Sendable, Equatable {
    public let id: UUID
    public let email: String
    public let username: String
    public let isActive: Bool
    public let isVerified: Bool

    public init(id: UUID, email: String, username: String, isActive: Bool, isVerified: Bool) {
        self.id = id
        self.email = email
        self.username = username
        self.isActive = isActive
        self.isVerified = isVerified
    }

    enum CodingKeys: String, CodingKey {
        case id, email, username
        case isActive = "is_active"
        case isVerified = "is_verified"
    }
}
