import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// Writes security events. Pass the caller's transaction when the event belongs to a change, so
/// the change and its record commit together.
struct AuditLog: Sendable {
    let database: ServiceDatabase

    func record(
        _ kind: AuditEvent.Kind, userID: UUID?, request: ServiceRequest?, detail: String? = nil,
        on db: (any Database)? = nil
    ) async throws {
        try await AuditEvent(
            kind: kind, userID: userID, ip: request?.clientIP, userAgent: request?.userAgent, detail: detail
        ).create(on: db ?? database.database)
    }
}
