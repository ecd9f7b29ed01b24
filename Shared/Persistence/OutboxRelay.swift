import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TollgateMessaging

/// Publishes outbox rows to JetStream in creation order, with `Nats-Msg-Id` = the row id, and
/// deletes a row only after JetStream's acknowledgement (a sent row would only keep what it
/// announced, a sealed email among them, at rest for nothing). A crash between the two republishes
/// the row, and JetStream drops the duplicate by its id. Several instances of a service may each run
/// a relay on one database: each publishes in creation order and JetStream drops what another
/// already published, so the streams and buckets see every row once, in order.
public final class OutboxRelay: Service, Sendable {
    private let database: ServiceDatabase
    private let jetStream: JetStream
    private let logger: Logger
    private let pollInterval: Duration
    private let wakeUps: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation
    /// Passes over the outbox begun and finished without error, counted so `flush` knows when
    /// everything committed before it was published.
    private let passes = Mutex<(begun: Int, finished: Int)>((0, 0))

    public init(database: ServiceDatabase, jetStream: JetStream, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.database = database
        self.jetStream = jetStream
        self.logger = logger
        self.pollInterval = pollInterval
        (wakeUps, wakeUpContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the relay to look at the outbox now (after a commit) instead of at its next poll.
    public func wakeUp() {
        wakeUpContinuation.yield()
    }

    /// Wakes the relay and waits until a pass begun after this call has published everything, or
    /// `timeout` has passed (JetStream unreachable: the rows stay and are published later).
    public func flush(within timeout: Duration) async -> Bool {
        let target = passes.withLock { $0.begun + 1 }
        wakeUp()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if passes.withLock({ $0.finished >= target }) { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    public func run() async throws {
        let wakeUps = self.wakeUps
        let pollInterval = self.pollInterval
        // A ticker merged with explicit wake-ups; each wake-up publishes everything pending.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                wakeUpContinuation.yield()
            }
        }
        defer { ticker.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in wakeUps {
                let pass = self.passes.withLock { passes in
                    passes.begun += 1
                    return passes.begun
                }
                do {
                    try await self.publishPending()
                    self.passes.withLock { $0.finished = pass }
                } catch {
                    self.logger.warning("outbox relay will retry", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Publishes every pending row; returns how many were published. Rows are read and marked with
    /// plain SQL, a batch at a time: this runs after every commit that enqueued something.
    @discardableResult
    public func publishPending(batchSize: Int = 100) async throws -> Int {
        let sql = database.sql
        var published = 0
        while true {
            let batch = try await sql.raw("""
                SELECT id, subject, payload FROM \(ident: OutboxMessage.schema)
                WHERE published_at IS NULL ORDER BY created_at LIMIT \(literal: batchSize)
                """).all(decoding: PendingMessage.self)
            if batch.isEmpty { return published }
            var sent: [UUID] = []
            do {
                for message in batch {
                    _ = try await jetStream.publish(message.subject, payload: message.payload, messageID: message.id.uuidString)
                    sent.append(message.id)
                }
            } catch {
                try await removePublished(sent)
                if let failed = batch.dropFirst(sent.count).first {
                    try? await sql.raw("""
                        UPDATE \(ident: OutboxMessage.schema) SET attempts = attempts + 1, last_error = \(bind: String(describing: error))
                        WHERE id = \(bind: failed.id)
                        """).run()
                }
                throw error
            }
            try await removePublished(sent)
            published += sent.count
            // A short batch was all there was; rows committed since wake the relay again.
            if batch.count < batchSize { return published }
        }
    }

    private func removePublished(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await database.sql.raw("""
            DELETE FROM \(ident: OutboxMessage.schema) WHERE id IN (\(binds: ids))
            """).run()
    }

    private struct PendingMessage: Decodable {
        let id: UUID
        let subject: String
        let payload: Data
    }
}
