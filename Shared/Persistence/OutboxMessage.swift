import FluentKit
import Foundation

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
        let data = try JSONEncoder().encode(payload)
        try await OutboxMessage(subject: subject, payload: data).create(on: database)
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
