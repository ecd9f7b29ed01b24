import FluentKit
import Synchronization

/// Runs the writes of concurrent callers together, several in one transaction (a group commit):
/// under load, one BEGIN, one COMMIT and one flush to disk serve a whole batch instead of each
/// write. Every caller still gets its own outcome. A batch is all or nothing; when it fails, each
/// of its writes is run again in a transaction of its own, so one bad write never takes others
/// down with it. A write must therefore only touch the database it is given (it may run twice,
/// the first run rolled back) and must not wait for another caller's write.
public final class GroupCommit: Sendable {
    private let database: ServiceDatabase
    private let maxBatch: Int
    private let maxRunning: Int
    private let state = Mutex(State())

    private struct State {
        var waiting: [Job] = []
        var running = 0
    }

    /// `maxBatch` writes at most per transaction; `maxRunning` transactions at once: one for SQLite,
    /// which has a single writer; two for PostgreSQL, half its connections (reads need the rest).
    public init(database: ServiceDatabase, maxBatch: Int = 64, maxRunning: Int? = nil) {
        self.database = database
        self.maxBatch = max(maxBatch, 1)
        self.maxRunning = max(maxRunning ?? (database.location.isSQLite ? 1 : 2), 1)
    }

    /// How many writes wait for a transaction (not those in the running one).
    package var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// Runs `write` in a transaction, most likely shared with other callers', and returns its
    /// result once that transaction has committed.
    public func write<Result: Sendable>(_ write: @escaping @Sendable (any Database) async throws -> Result)
        async throws -> Result
    {
        let outcome = Outcome<Result>()
        return try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in outcome.store(try await write(db)) },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: outcome.take())
                    }
                })
            let leads = state.withLock { state -> Bool in
                state.waiting.append(job)
                guard state.running < maxRunning else { return false }
                state.running += 1
                return true
            }
            if leads { Task { await self.drain() } }
        }
    }

    /// Commits batches until nobody is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                guard !state.waiting.isEmpty else {
                    state.running -= 1
                    return []
                }
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Job]) async {
        do {
            let executor = database.transactionExecutor
            try await database.database.transaction { db in
                try await withTaskExecutorPreference(executor) {
                    for job in batch { try await job.run(db) }
                }
            }
            for job in batch { job.finish(nil) }
        } catch {
            guard batch.count > 1 else {
                batch[0].finish(error)
                return
            }
            for job in batch {
                do {
                    try await database.database.transaction { db in try await job.run(db) }
                    job.finish(nil)
                } catch {
                    job.finish(error)
                }
            }
        }
    }

    private struct Job: Sendable {
        let run: @Sendable (any Database) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// What a write returned, kept until its transaction has committed.
    private final class Outcome<Value: Sendable>: Sendable {
        private let value = Mutex<Value?>(nil)

        func store(_ result: Value) {
            value.withLock { $0 = result }
        }

        func take() -> Value {
            value.withLock { $0! }
        }
    }
}

