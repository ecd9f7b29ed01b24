import FluentKit

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("email_canonical", .string, .required)
            .field("username", .string, .required)
            .field("username_canonical", .string, .required)
            .field("password_hash", .string)
            .field("provider", .string, .required)
            .field("is_active", .bool, .required)
            .field("is_verified", .bool, .required)
            .field("is_admin", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email_canonical")
            .unique(on: "username_canonical")
            .create()
        try await database.schema(UserProfile.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("first_name", .string)
            .field("last_name", .string)
            .field("avatar_url", .string)
            .field("bio", .string)
            .unique(on: "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserProfile.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
