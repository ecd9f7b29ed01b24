import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Asks Auth about an account over its internal subject (Billing never reads Auth's database).
struct AccountDirectory: Sendable {
    let connection: NatsConnection
    let subjects: Subjects
    var timeout: Duration = .seconds(5)

    /// The account, or nil when Auth does not know it.
    func account(_ userID: UUID) async throws -> AccountSummary? {
        let reply: NatsMessage
        do {
            reply = try await connection.request(
                subjects.authAccountLookup, payload: try JSONCoding.encoder.encode(AccountLookup(userID: userID)),
                timeout: timeout)
        } catch {
            throw HTTPFailure(503, "The account service is unavailable; try again")
        }
        switch reply.headers[EnvelopeHeader.status].flatMap(Int.init) {
        case 200: return try JSONCoding.decoder.decode(AccountSummary.self, from: reply.payload)
        case 404: return nil
        default: throw HTTPFailure(503, "The account service is unavailable; try again")
        }
    }

    /// The contract's "bearer (verified)" guard, judged on the account's current state.
    func verifiedAccount(_ principal: Principal) async throws -> AccountSummary {
        guard let account = try await account(principal.userID), account.isActive, account.isVerified else {
            throw HTTPFailure(403, "User account is not active or verified")
        }
        return account
    }
}
