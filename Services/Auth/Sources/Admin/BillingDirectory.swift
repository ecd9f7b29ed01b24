import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// What the admin API asks Billing over its internal subjects (Auth never reads Billing's database).
struct BillingDirectory: Sendable {
    let connection: NatsConnection
    let subjects: Subjects
    var timeout: Duration = .seconds(5)

    func stats() async throws -> BillingStats {
        try await ask(subjects.billingStats, Data(), as: BillingStats.self)
    }

    func counts(for userID: UUID) async throws -> BillingUserCounts {
        try await ask(subjects.billingUserCounts, try JSONCoding.encoder.encode(AccountLookup(userID: userID)), as: BillingUserCounts.self)
    }

    func audit(_ query: AuditQuery) async throws -> AuditSlice {
        try await ask(subjects.billingAudit, try JSONCoding.encoder.encode(query), as: AuditSlice.self)
    }

    private func ask<Answer: Decodable>(_ subject: String, _ payload: Data, as type: Answer.Type) async throws -> Answer {
        do {
            let reply = try await connection.request(subject, payload: payload, timeout: timeout)
            guard reply.headers[EnvelopeHeader.status] == "200" else { throw HTTPFailure(503, "Billing did not answer") }
            return try JSONCoding.decoder.decode(type, from: reply.payload)
        } catch let failure as HTTPFailure {
            throw failure
        } catch {
            throw HTTPFailure(503, "Billing is unavailable; try again")
        }
    }
}
