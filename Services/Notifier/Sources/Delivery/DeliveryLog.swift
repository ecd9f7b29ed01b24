import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// The messages already handed to the mail server, by message id, in the Notifier's own database:
/// a message redelivered by the stream after it was sent (a crash before the ack) is acknowledged
/// without being sent again.
struct DeliveryLog: Sendable {
    let database: ServiceDatabase

    func wasDelivered(_ messageID: String) async throws -> Bool {
        try await database.sql.select().column("message_id").from(Self.table)
            .where("message_id", .equal, messageID).first() != nil
    }

    func record(_ messageID: String, template: String, recipient: String, now: Date = Date()) async throws {
        try await database.sql.insert(into: Self.table)
            .columns("message_id", "template", "recipient", "delivered_at")
            .values(SQLBind(messageID), SQLBind(template), SQLBind(recipient), SQLBind(now))
            .onConflict(with: ["message_id"]) { $0.set(excludedValueOf: "delivered_at") }
            .run()
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
