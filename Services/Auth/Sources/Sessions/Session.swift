import FluentKit
import Foundation
import SQLKit

/// A signed-in device: its refresh tokens rotate, it ends at logout, revocation or `expiresAt`.
public final class Session: Model, @unchecked Sendable {
    public static let schema = "sessions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "last_used_at") public var lastUsedAt: Date
    /// The absolute end, however often the session refreshes.
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @OptionalField(key: "user_agent") public var userAgent: String?
    @OptionalField(key: "ip") public var ip: String?

    public init() {}

    /// Stores a new session with plain SQL: sign-ins are hot, and model reflection is costly.
    static func insert(
        id: UUID, userID: UUID, lifetime: Duration, userAgent: String?, ip: String?, now: Date, on sql: any SQLDatabase
    ) async throws {
        try await sql.insert(into: schema).model(
            Row(
                id: id, user_id: userID, created_at: now, last_used_at: now,
                expires_at: now.addingTimeInterval(TimeInterval(lifetime.components.seconds)),
                user_agent: userAgent.map { String($0.prefix(512)) }, ip: ip)
        ).run()
    }

    private struct Row: Encodable {
        let id: UUID
        let user_id: UUID
        let created_at: Date
        let last_used_at: Date
        let expires_at: Date
        let user_agent: String?
        let ip: String?
    }
}

/// An opaque refresh token, stored as its SHA-256 hash. Rotation links a used token to its successor.
public final class RefreshToken: Model, @unchecked Sendable {
    public static let schema = "refresh_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "session_id") public var sessionID: UUID
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @OptionalField(key: "replaced_by") public var replacedBy: UUID?
    /// The successor, sealed under this token (`SuccessorSeal`); cleared once the successor is used.
    @OptionalField(key: "successor_sealed") public var successorSealed: String?

    public init() {}

    /// Stores a new refresh token (by hash) with plain SQL: every sign-in and refresh writes one.
    static func insert(
        id: UUID, sessionID: UUID, tokenHash: String, lifetime: Duration, now: Date, on sql: any SQLDatabase
    ) async throws {
        try await sql.insert(into: schema).model(
            Row(
                id: id, session_id: sessionID, token_hash: tokenHash, created_at: now,
                expires_at: now.addingTimeInterval(TimeInterval(lifetime.components.seconds)))
        ).run()
    }

    private struct Row: Encodable {
        let id: UUID
        let session_id: UUID
        let token_hash: String
        let created_at: Date
        let expires_at: Date
    }
}

struct CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Session.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("user_agent", .string)
            .field("ip", .string)
            .create()
        try await database.schema(RefreshToken.schema)
            .id()
            .field("session_id", .uuid, .required, .references(Session.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("replaced_by", .uuid)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RefreshToken.schema).delete()
        try await database.schema(Session.schema).delete()
    }
}
