import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `GET /me/identities` and `DELETE /me/identities/{provider}`: the providers linked to the
/// signed-in account. The last way to sign in cannot be removed.
struct IdentityHandlers: Sendable {
    let database: ServiceDatabase

    struct Linked: Encodable {
        let provider: String
        let email: String?
        let createdAt: Date

        enum CodingKeys: String, CodingKey {
            case provider, email
            case createdAt = "created_at"
        }
    }

    func list(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let identities = try await Identity.query(on: database.database)
            .filter(\.$userID == principal.userID).sort(\.$createdAt).all()
        return .json(200, identities.map { Linked(provider: $0.provider, email: $0.email, createdAt: $0.createdAt) })
    }

    func unlink(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let provider = request.pathParameters["provider"] ?? ""
        try await database.database.transaction { db in
            guard let identity = try await Identity.query(on: db)
                .filter(\.$userID == principal.userID).filter(\.$provider == provider).first()
            else { throw HTTPFailure(404, "No \(provider.prefix(50)) sign-in is linked to this account") }
            guard let user = try await User.find(principal.userID, on: db) else { throw AuthError.userNotFound.failure }
            let others = try await Identity.query(on: db).filter(\.$userID == principal.userID).count() - 1
            if user.passwordHash == nil && others == 0 {
                throw HTTPFailure(
                    400, "This is the only way to sign in to this account; set a password first (a reset link from /forget-password sets one)")
            }
            try await identity.delete(on: db)
        }
        return .noContent()
    }
}
