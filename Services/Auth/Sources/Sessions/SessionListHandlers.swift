import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `GET /sessions` (the signed-in user's live sessions, the current one marked) and
/// `DELETE /sessions/{session_id}` (ends one of them).
struct SessionListHandlers: Sendable {
    let database: ServiceDatabase
    let sessions: SessionStore
    let revocations: RevocationOutbox

    struct SessionView: Encodable {
        let id: String
        let userAgent: String?
        let ip: String?
        let createdAt: Date
        let lastUsedAt: Date
        let current: Bool

        enum CodingKeys: String, CodingKey {
            case id, ip, current
            case userAgent = "user_agent"
            case createdAt = "created_at"
            case lastUsedAt = "last_used_at"
        }
    }

    func list(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let now = Date()
        let live = try await Session.query(on: database.database)
            .filter(\.$userID == principal.userID).filter(\.$revokedAt == nil).filter(\.$expiresAt > now)
            .sort(\.$lastUsedAt, .descending)
            .all()
        let current = UUID(uuidString: principal.sessionID)
        return .json(
            200,
            live.compactMap { session in
                session.id.map { id in
                    SessionView(
                        id: id.uuidString.lowercased(), userAgent: session.userAgent, ip: session.ip,
                        createdAt: session.createdAt, lastUsedAt: session.lastUsedAt, current: id == current)
                }
            })
    }

    func delete(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        guard let id = request.pathParameters["session_id"].flatMap(UUID.init(uuidString:)),
            try await sessions.end(id, userID: principal.userID)
        else { throw HTTPFailure(404, "Session not found") }
        await revocations.deliver()
        return .noContent()
    }
}
