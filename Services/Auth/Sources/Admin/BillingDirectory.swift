import Foundation
import TollgateContracts
import TollgateServiceKit

/// What the admin API asks Billing over its internal subjects (Auth never reads Billing's database).
struct BillingDirectory: Sendable {
    let billing: InternalRequest
    let subjects: Subjects

    func stats() async throws -> BillingStats {
        try answer(try await billing.ask(subjects.billingStats, as: BillingStats.self))
    }

    func counts(for userID: UUID) async throws -> BillingUserCounts {
        try answer(try await billing.ask(subjects.billingUserCounts, AccountLookup(userID: userID), as: BillingUserCounts.self))
    }

    func audit(_ query: AuditQuery) async throws -> AuditSlice {
        try answer(try await billing.ask(subjects.billingAudit, query, as: AuditSlice.self))
    }

    /// These subjects always have an answer; none means Billing is not working.
    private func answer<Answer>(_ answer: Answer?) throws -> Answer {
        guard let answer else { throw HTTPFailure(503, "The billing service is unavailable; try again") }
        return answer
    }
}
