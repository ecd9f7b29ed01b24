import FluentKit
import Foundation

/// A user's profile, created empty with the account.
public final class UserProfile: Model, @unchecked Sendable {
    public static let schema = "user_profiles"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @OptionalField(key: "first_name") public var firstName: String?
    @OptionalField(key: "last_name") public var lastName: String?
    @OptionalField(key: "avatar_url") public var avatarURL: String?
    @OptionalField(key: "bio") public var bio: String?

    public init() {}

    public init(userID: UUID) {
        self.id = UUID()
        self.userID = userID
    }
}
