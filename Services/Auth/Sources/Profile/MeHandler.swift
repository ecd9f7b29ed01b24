import FluentKit
import TollgatePersistence
import TollgateServiceKit

/// `GET /me` → the signed-in user.
struct MeHandler: Sendable {
    let database: ServiceDatabase

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        guard let user = try await User.find(principal.userID, on: database.database), user.isActive else {
            throw AuthError.userNotFound.failure
        }
        return .json(200, UserResponse(user))
    }
}
