import Foundation
import TollgateContracts
import TollgateServiceKit

/// Asks Auth about an account over its internal subject (Billing never reads Auth's database).
struct AccountDirectory: Sendable {
    let auth: InternalRequest
    let subjects: Subjects

    /// The account, or nil when Auth does not know it.
    func account(_ userID: UUID) async throws -> AccountSummary? {
        try await auth.ask(subjects.authAccountLookup, AccountLookup(userID: userID), as: AccountSummary.self)
    }

    /// The contract's "bearer (verified)" guard, judged on the account's current state.
    func verifiedAccount(_ principal: Principal) async throws -> AccountSummary {
        guard let account = try await account(principal.userID), account.isActive, account.isVerified else {
            throw HTTPFailure(403, "User account is not active or verified")
        }
        return account
    }
}
