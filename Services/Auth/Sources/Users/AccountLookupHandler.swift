import FluentKit
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// Answers `auth.internal.account` for other services (Billing needs a user's email and whether the
/// account is active and verified). Read from the database every time: callers decide on it.
struct AccountLookupHandler: Sendable {
    let database: ServiceDatabase

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        let lookup = try request.decode(AccountLookup.self)
        guard let user = try await User.find(lookup.userID, on: database.database) else {
            throw HTTPFailure(404, "User not found")
        }
        return .json(
            200,
            AccountSummary(
                id: lookup.userID, email: user.email, username: user.username, isActive: user.isActive,
                isVerified: user.isVerified))
    }
}
