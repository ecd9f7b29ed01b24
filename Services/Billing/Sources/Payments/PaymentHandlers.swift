import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `GET /billing/payments/me`: the signed-in user's payments, newest first.
struct PaymentHandlers: Sendable {
    let database: ServiceDatabase
    let accounts: AccountDirectory

    func mine(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        let payments = try await Payment.query(on: database.database)
            .filter(\.$userID == principal.userID)
            .sort(\.$createdAt, .descending)
            .sort(\.$id, .descending)
            .all()
        return .json(200, payments.map(PaymentResponse.init))
    }
}
