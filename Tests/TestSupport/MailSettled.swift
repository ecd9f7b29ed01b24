import Foundation
import SQLKit
import TollgatePersistence

extension TestSystem {
    /// Every email queued so far has been delivered: no outbox row is left in Auth or Billing, and
    /// the Notifier's consumer has nothing left to deliver or to hear back about. Once true, no
    /// further email can arrive until something queues one — so a test can count what came
    /// without waiting a fixed time for what must not.
    public func mailSettled() async throws -> Bool {
        for database in [try authDatabase(), try billingDatabase()] {
            struct Count: Decodable { let count: Int }
            let rows = try await database.sql.raw("SELECT COUNT(*) AS count FROM \(ident: OutboxMessage.schema)")
                .first(decoding: Count.self)
            await database.shutdown()
            if rows?.count != 0 { return false }
        }
        struct Info: Decodable {
            let num_pending: Int
            let num_ack_pending: Int
        }
        let connection = try await connectHarness()
        defer { Task { await connection.drain() } }
        let reply = try await connection.request(
            "$JS.API.CONSUMER.INFO.\(subjects.emailStream).\(subjects.notifierConsumer)", timeout: .seconds(5))
        let info = try JSONDecoder().decode(Info.self, from: reply.payload)
        return info.num_pending == 0 && info.num_ack_pending == 0
    }

    /// Waits until `mailSettled()`.
    public func waitForMailToSettle(timeout: Duration = .seconds(15)) async throws {
        _ = try await eventually("every queued email delivered", timeout: timeout) { try await mailSettled() ? true : nil }
    }
}
