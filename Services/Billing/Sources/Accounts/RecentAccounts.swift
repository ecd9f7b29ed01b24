import Foundation
import Synchronization
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Accounts as Auth described them a moment ago, for applying Stripe's changes: one user's
/// checkout, subscription and invoice events arrive together, and each needs the account (whose
/// the subscription is, where its emails go). Callers asking at once share one request; an answer
/// is kept for `keptFor`, and dropped as soon as Auth announces the user changed. Never used to
/// decide what a user may do: `AccountDirectory.verifiedAccount` asks Auth every time.
final class RecentAccounts: Sendable {
    static let keptFor: Duration = .seconds(10)
    /// Beyond this many, stale answers are dropped before another is kept.
    static let limit = 10_000

    private struct Answer {
        let lookup: Task<AccountSummary?, any Error>
        let askedAt: ContinuousClock.Instant
    }

    private let directory: AccountDirectory
    private let answers = Mutex<[UUID: Answer]>([:])

    init(directory: AccountDirectory) {
        self.directory = directory
    }

    /// The account, or nil when Auth does not know it (not kept: the user may appear, by import).
    func account(_ id: UUID) async throws -> AccountSummary? {
        let now = ContinuousClock.now
        let lookup = answers.withLock { answers in
            if let answer = answers[id], now - answer.askedAt < Self.keptFor { return answer.lookup }
            if answers.count >= Self.limit { answers = answers.filter { now - $0.value.askedAt < Self.keptFor } }
            let directory = self.directory
            let lookup = Task { try await directory.account(id) }
            answers[id] = Answer(lookup: lookup, askedAt: now)
            return lookup
        }
        do {
            let account = try await lookup.value
            if account == nil { forget(id, lookup) }
            return account
        } catch {
            forget(id, lookup)
            throw error
        }
    }

    /// Drops what is kept for `id` (Auth announced a change).
    func forget(_ id: UUID) {
        _ = answers.withLock { $0.removeValue(forKey: id) }
    }

    /// Hears Auth's user-change announcements (every Billing instance listens).
    func changeListener(connection: NatsConnection, subjects: Subjects) -> BroadcastListener {
        BroadcastListener(connection: connection, subject: subjects.authUserChanged) { [self] message in
            if let id = UUID(uuidString: String(decoding: message.payload, as: UTF8.self)) { forget(id) }
        }
    }

    /// Drops a failed or empty lookup, unless a newer one has replaced it meanwhile.
    private func forget(_ id: UUID, _ lookup: Task<AccountSummary?, any Error>) {
        answers.withLock { answers in
            if answers[id]?.lookup == lookup { answers[id] = nil }
        }
    }
}
