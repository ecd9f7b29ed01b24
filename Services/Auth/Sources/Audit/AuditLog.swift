import FluentKit
import SQLKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// Writes security events. Pass the caller's transaction when the event belongs to a change, so
/// the change and its record commit together.
struct AuditLog: Sendable {
    let database: ServiceDatabase

    /// `userID` is whom the event concerns; the actor is the signed-in caller if there is one
    /// (an admin acting on someone), else that user.
    func record(
        _ kind: AuditEvent.Kind, userID: UUID?, request: ServiceRequest?, detail: String? = nil,
        before: String? = nil, after: String? = nil, on db: (any Database)? = nil
    ) async throws {
        // Written with SQLKit, not the model: every sign-in writes one, and reflection is costly.
        guard let sql = (db ?? database.database) as? any SQLDatabase else { return }
        try await sql.insert(into: AuditEvent.schema).model(
            Row(
                id: UUID(), user_id: userID, kind: kind.rawValue, ip: request?.clientIP,
                user_agent: request?.userAgent.map { String($0.prefix(300)) }, detail: detail, created_at: Date(),
                actor_id: request?.principal?.userID ?? userID, target_id: userID, before: before, after: after,
                request_id: request?.requestID)
        ).run()
    }

    private struct Row: Encodable {
        let id: UUID
        let user_id: UUID?
        let kind: String
        let ip: String?
        let user_agent: String?
        let detail: String?
        let created_at: Date
        let actor_id: UUID?
        let target_id: UUID?
        let before: String?
        let after: String?
        let request_id: String?
    }
}
