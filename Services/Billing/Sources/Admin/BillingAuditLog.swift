import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// Billing's audit log (`audit_events` in its own database): who changed a plan or a subscription,
/// before and after, from where, in which request.
struct BillingAuditLog: Sendable {
    static let schema = "audit_events"
    let database: ServiceDatabase

    private struct Row: Codable {
        let id: UUID
        let action: String
        let actor_id: UUID?
        let target_id: UUID?
        let before: String?
        let after: String?
        let ip: String?
        let request_id: String?
        let created_at: Date
    }

    func record(
        _ action: String, target: UUID?, request: ServiceRequest?, before: String? = nil, after: String? = nil,
        on db: (any Database)? = nil
    ) async throws {
        guard let sql = (db ?? database.database) as? any SQLDatabase else { return }
        try await sql.insert(into: Self.schema).model(
            Row(
                id: UUID(), action: action, actor_id: request?.principal?.userID, target_id: target, before: before,
                after: after, ip: request?.clientIP, request_id: request?.requestID, created_at: Date())
        ).run()
    }

    func read(_ query: AuditQuery) async throws -> AuditSlice {
        let (total, rows) = try await AuditTable(name: Self.schema, actionColumn: "action", userColumns: ["actor_id", "target_id"])
            .read(query, as: Row.self, on: database.sql)
        return AuditSlice(
            total: total,
            entries: rows.map {
                AuditEntry(
                    id: $0.id, service: "billing", action: $0.action, actorID: $0.actor_id, targetID: $0.target_id,
                    before: $0.before, after: $0.after, ip: $0.ip, requestID: $0.request_id, createdAt: $0.created_at)
            })
    }
}

struct CreateBillingAudit: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BillingAuditLog.schema)
            .id()
            .field("action", .string, .required)
            .field("actor_id", .uuid)
            .field("target_id", .uuid)
            .field("before", .string)
            .field("after", .string)
            .field("ip", .string)
            .field("request_id", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BillingAuditLog.schema).delete()
    }
}
