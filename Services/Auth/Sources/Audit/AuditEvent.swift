import FluentKit
import Foundation
import SQLKit

/// One security event: who (when known), what, from where, when. Kept when the user is deleted.
public final class AuditEvent: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case loginThrottled = "login.throttled"
        case loginCodeSent = "login_code.sent"
        case loginCodesLocked = "login_code.locked"
        case mailCapped = "mail.capped"
        case refreshReused = "refresh.reused"
        case passwordChanged = "password.changed"
        case passwordResetRequested = "password.reset_requested"
        case passwordReset = "password.reset"
        case accountDeactivated = "account.deactivated"
        case keyRotated = "signing_key.rotated"
        case usersImported = "users.imported"
        case userUpdateStatus = "user.update_status"
        case userUpdateRole = "user.update_role"
        case userVerify = "user.verify"
        case adminAccessRefused = "admin.access_refused"
    }

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "user_id") public var userID: UUID?
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "ip") public var ip: String?
    @OptionalField(key: "user_agent") public var userAgent: String?
    /// Short machine-readable context (`method=code`, `reason=wrong_password`); never a secret.
    @OptionalField(key: "detail") public var detail: String?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema)
            .id()
            .field("user_id", .uuid)
            .field("kind", .string, .required)
            .field("ip", .string)
            .field("user_agent", .string)
            .field("detail", .string)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_events_user_created").on(AuditEvent.schema)
            .column("user_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema).delete()
    }
}

/// Who acted on whom, the state before and after, and the request: what the admin timeline shows.
struct ExtendAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        let columns: [(String, DatabaseSchema.DataType)] = [
            ("actor_id", .uuid), ("target_id", .uuid), ("before", .string), ("after", .string), ("request_id", .string),
        ]
        for (name, type) in columns {
            try await database.schema(AuditEvent.schema).field(FieldKey(stringLiteral: name), type).update()
        }
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "audit_events_created").on(AuditEvent.schema).column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        for name in ["actor_id", "target_id", "before", "after", "request_id"] {
            try await database.schema(AuditEvent.schema).deleteField(.init(stringLiteral: name)).update()
        }
    }
}
