import FluentKit
import Foundation
import SQLKit

/// A single-use link token (email verification, password reset), stored hashed.
public final class VerificationToken: Model, @unchecked Sendable {
    public static let schema = "verification_tokens"

    public enum Purpose: String, Codable, Sendable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "purpose") public var purpose: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "used_at") public var usedAt: Date?
    @Field(key: "failed_attempts") public var failedAttempts: Int

    public init() {}

    /// Marks the live, unexpired link token for `purpose` used, unless another use did first (a
    /// compare-and-set, so of concurrent uses exactly one wins), and returns its user.
    static func claim(_ token: String, purpose: Purpose, now: Date, on sql: any SQLDatabase) async throws -> UUID? {
        let claimed = try await sql.update(schema)
            .set("used_at", to: now)
            .where("token_hash", .equal, TokenHash.of(token))
            .where("purpose", .equal, purpose.rawValue)
            .where("used_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, now)
            .returning("user_id")
            .all()
        return claimed.first.flatMap { try? $0.decode(column: "user_id", as: UUID.self) }
    }

    init(userID: UUID, purpose: Purpose, tokenHash: String, lifetime: Duration, now: Date = Date()) {
        self.id = UUID()
        self.userID = userID
        self.purpose = purpose.rawValue
        self.tokenHash = tokenHash
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
        self.failedAttempts = 0
    }
}

struct CreateVerificationTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(VerificationToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("failed_attempts", .int, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VerificationToken.schema).delete()
    }
}
