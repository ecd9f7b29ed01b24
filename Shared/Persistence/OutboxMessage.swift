import FluentKit
import Foundation
import SQLKit

/// A message waiting to be published to JetStream, written in the same transaction as the change it
/// announces so the two are never separated.
public final class OutboxMessage: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"

    @ID(key: .id) public var id: UUID?
    @Field(key: "subject") public var subject: String
    @Field(key: "payload") public var payload: Data
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "last_error") public var lastError: String?

    public init() {}

    public init(subject: String, payload: Data, createdAt: Date = Date()) {
        self.id = UUID()
        self.subject = subject
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = 0
    }

    /// Adds a message to the outbox on `database` (pass the transaction of the change it announces).
    public static func enqueue(subject: String, payload: some Encodable, on database: any Database) async throws {
        try await enqueue(subject: subject, data: try JSONEncoder().encode(payload), on: database)
    }

    /// Adds a message whose payload is already encoded (a sealed email).
    public static func enqueue(subject: String, data: Data, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else {
            try await OutboxMessage(subject: subject, payload: data).create(on: database)
            return
        }
        // Plain SQL: services enqueue inside their busiest transactions, and Fluent's model
        // machinery costs more than the insert itself.
        try await sql.raw("""
            INSERT INTO \(ident: schema) (id, subject, payload, created_at, attempts)
            VALUES (\(bind: UUID()), \(bind: subject), \(bind: data), \(bind: Date()), 0)
            """).run()
    }
}

public struct CreateOutboxMessages: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema)
            .id()
            .field("subject", .string, .required)
            .field("payload", .data, .required)
            .field("created_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .create()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).delete()
    }
}

/// The relay looks for pending rows in creation order after every commit: index exactly that.
public struct IndexPendingOutboxMessages: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE INDEX outbox_messages_pending ON \(ident: OutboxMessage.schema) (published_at, created_at)
            """).run()
    }

    public func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX outbox_messages_pending").run()
    }
}

/// Rows the relay published before it deleted them on acknowledgement: they held emails in clear.
public struct PruneSentOutboxMessages: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM \(ident: OutboxMessage.schema) WHERE published_at IS NOT NULL").run()
    }

    public func revert(on database: any Database) async throws {}
}
