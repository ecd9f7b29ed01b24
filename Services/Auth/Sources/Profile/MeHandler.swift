import TollgateServiceKit

/// `GET /me` → the signed-in user.
struct MeHandler: Sendable {
    let users: UserDirectory

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        guard let user = try await users.user(principal.userID), user.isActive else {
            throw AuthError.userNotFound.failure
        }
        return .json(200, user.response)
    }
}
