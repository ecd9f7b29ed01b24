import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `POST /deactivate`: the account becomes inactive, every session ends, and every gateway refuses
/// the user's access tokens from the next revocation update on.
struct DeactivateHandler: Sendable {
    let database: ServiceDatabase
    let sessions: SessionStore
    let revocations: RevocationOutbox
    let users: UserDirectory
    let cookie: RefreshCookie
    let audit: AuditLog

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await database.database.transaction { db in
            try await User.query(on: db).filter(\.$id == principal.userID).set(\.$isActive, to: false).update()
            _ = try await sessions.endAll(of: principal.userID, on: db)
            try await revocations.revokeUser(principal.userID, on: db)
            try await audit.record(.accountDeactivated, userID: principal.userID, request: request, on: db)
        }
        users.changed(principal.userID)
        await revocations.deliver()
        return ServiceResponse.message(202, "User deactivated.")
            .adding(header: "Set-Cookie", cookie.clearing())
    }
}
