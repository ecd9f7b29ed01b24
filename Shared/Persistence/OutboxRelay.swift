import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import TollgateMessaging

/// Publishes outbox rows to JetStream in creation order, with `Nats-Msg-Id` = the row id, and marks
/// a row published only after JetStream's acknowledgement. A crash between the two republishes the
/// row, and JetStream drops the duplicate by its id.
public final class OutboxRelay: Service, Sendable {
    private let database: ServiceDatabase
    private let jetStream: JetStream
    private let logger: Logger
    private let pollInterval: Duration
    private let wakeUps: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation

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
                do {
                    try await self.publishPending()
                } catch {
                    self.logger.warning("outbox relay will retry", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Publishes every pending row; returns how many were published.
    @discardableResult
    public func publishPending(batchSize: Int = 100) async throws -> Int {
        var published = 0
        while true {
            let batch = try await OutboxMessage.query(on: database.database)
                .filter(\.$publishedAt == nil)
                .sort(\.$createdAt)
                .limit(batchSize)
                .all()
            if batch.isEmpty { return published }
            for message in batch {
                guard let id = message.id else { continue }
                do {
                    _ = try await jetStream.publish(message.subject, payload: message.payload, messageID: id.uuidString)
                } catch {
                    message.attempts += 1
                    message.lastError = String(describing: error)
                    try? await message.save(on: database.database)
                    throw error
                }
                message.publishedAt = Date()
                try await message.save(on: database.database)
                published += 1
            }
        }
    }
}
