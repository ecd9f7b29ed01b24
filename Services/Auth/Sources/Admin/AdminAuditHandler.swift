import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// `GET /admin/audit?user_id=&action=&limit=&offset=`: Auth's and Billing's audit logs as one
/// timeline, newest first (then by id). Each service reads its own log; Auth merges.
struct AdminAuditHandler: Sendable {
    let database: ServiceDatabase
    let billing: BillingDirectory

    static let deepest = 10_000

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let page = try PageRequest.from(request.query)
        if page.offset + page.limit > Self.deepest { throw ValidationFailure(field: "offset", "offset must be below \(Self.deepest)") }
        var userID: UUID?
        if let text = request.query["user_id"] {
            guard let id = UUID(uuidString: text) else { throw ValidationFailure(field: "user_id", "user_id must be a UUID") }
            userID = id
        }
        let query = AuditQuery(
            userID: userID, action: request.query["action"].flatMap { $0.isEmpty ? nil : $0 },
            limit: page.offset + page.limit, asOf: page.asOf)
        let own = try await AuthAuditReader(database: database).read(query)
        let theirs = try await billing.audit(query)
        let merged = (own.entries + theirs.entries).sorted {
            $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id
        }
        let slice = Array(merged.dropFirst(page.offset).prefix(page.limit))
        return .json(200, Page(data: slice, total: own.total + theirs.total, request: page))
    }
}

/// Auth's own audit entries for an `AuditQuery`.
struct AuthAuditReader: Sendable {
    let database: ServiceDatabase

    private struct Row: Decodable {
        let id: UUID
        let kind: String
        let user_id: UUID?
        let actor_id: UUID?
        let target_id: UUID?
        let before: String?
        let after: String?
        let ip: String?
        let request_id: String?
        let created_at: Date
    }

    func read(_ query: AuditQuery) async throws -> AuditSlice {
        let (total, rows) = try await AuditTable(
            name: AuditEvent.schema, actionColumn: "kind", userColumns: ["user_id", "actor_id", "target_id"]
        ).read(query, as: Row.self, on: database.sql)
        return AuditSlice(
            total: total,
            entries: rows.map { row in
                AuditEntry(
                    id: row.id, service: "auth", action: row.kind, actorID: row.actor_id ?? row.user_id,
                    targetID: row.target_id ?? row.user_id, before: row.before, after: row.after, ip: row.ip,
                    requestID: row.request_id, createdAt: row.created_at)
            })
    }
}
