import FluentKit
import Foundation

/// The one live sign-in code of an account (unique per user: a new code replaces the old one).
/// Stored hashed; `attempts` counts every check, and a code that has had `LoginCodes.maxAttempts`
/// checks is dead.
public final class LoginCode: Model, @unchecked Sendable {
    public static let schema = "login_codes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "code_hash") public var codeHash: String
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date

    public init() {}

    init(userID: UUID, codeHash: String, lifetime: Duration, now: Date = Date()) {
        self.id = UUID()
        self.userID = userID
        self.codeHash = codeHash
        self.attempts = 0
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
    }
}

struct CreateLoginCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginCode.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("attempts", .int, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginCode.schema).delete()
    }
}
