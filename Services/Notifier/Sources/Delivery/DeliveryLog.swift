import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// The messages already handed to the mail server, by message id, in the Notifier's own database:
/// a message redelivered by the stream after it was sent (a crash before the ack) is acknowledged
/// without being sent again.
struct DeliveryLog: Sendable {
    let database: ServiceDatabase
    /// Emails go out many at once; their records share transactions (one flush to disk per batch).
    private let writes: GroupCommit

    init(database: ServiceDatabase) {
        self.database = database
        writes = GroupCommit(database: database)
    }

    func wasDelivered(_ messageID: String) async throws -> Bool {
        // Plain SQL here and below: these run for every email, and SQLKit's builder costs more
        // than the statement.
        try await database.sql.raw("""
            SELECT message_id FROM \(ident: Self.table) WHERE message_id = \(bind: messageID)
            """).first() != nil
    }

    func record(_ messageID: String, template: String, recipient: String, now: Date = Date()) async throws {
        try await writes.write { db in
            guard let sql = db as? any SQLDatabase else { return }
            try await sql.raw("""
                INSERT INTO \(ident: Self.table) (message_id, template, recipient, delivered_at)
                VALUES (\(bind: messageID), \(bind: template), \(bind: recipient), \(bind: now))
                ON CONFLICT (message_id) DO UPDATE SET delivered_at = excluded.delivered_at
                """).run()
        }
    }

    static let table = "deliveries"
}

struct CreateDeliveries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DeliveryLog.table)
            .field("message_id", .string, .identifier(auto: false))
            .field("template", .string, .required)
            .field("recipient", .string, .required)
            .field("delivered_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DeliveryLog.table).delete()
    }
}

/// The Notifier's schema changes, in order. Never edit one that has shipped; add a new one.
public enum NotifierMigrations {
    public static let all: [any Migration] = [CreateDeliveries()]
}
