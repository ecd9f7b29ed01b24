import FluentKit
import SQLKit
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// Answers `auth.internal.account` for other services (Billing needs a user's email and whether the
/// account is active and verified). Read from the database every time: callers decide on it.
struct AccountLookupHandler: Sendable {
    let database: ServiceDatabase

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        let lookup = try request.decode(AccountLookup.self)
        // Plain SQL: Billing asks for every Stripe event it applies.
        guard
            let account = try await database.sql.raw("""
                SELECT id, email, username, is_active, is_verified FROM \(ident: User.schema) WHERE id = \(bind: lookup.userID)
                """).first(decoding: AccountSummary.self)
        else {
            throw HTTPFailure(404, "User not found")
        }
        return .json(200, account)
    }
}
