import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging

/// Keeps the gateways' rate-limit counts, and their quota counts, in step: every `interval` this
/// gateway publishes what it admitted since the last time, and adds what the others publish. Core
/// NATS, no stream: a report lost while a server changes costs a little overshoot, never a request
/// (quota counts reach the usage bucket too, `QuotaUsageSync`).
struct RateLimitSharing: Service {
    let limiter: RateLimiter
    let quotas: QuotaCounter
    let connection: NatsConnection
    let subject: String
    let interval: Duration
    let logger: Logger
    /// This gateway's name in its reports, so it skips its own.
    let instance = UUID().uuidString

    struct Report: Codable {
        let from: String
        let hits: [RateLimitHits]
        /// The sender's own quota counts that changed (absent from gateways that predate quotas).
        var quotas: [QuotaUsageCount]? = nil
    }

    func run() async throws {
        let subscription = try connection.subscribe(subject)
        let instance = self.instance
        let limiter = self.limiter
        let quotas = self.quotas
        let listener = Task {
            for await message in subscription {
                guard let report = try? JSONDecoder().decode(Report.self, from: message.payload), report.from != instance else {
                    continue
                }
                limiter.add(report.hits)
                for count in report.quotas ?? [] {
                    // Only a count's own instance speaks for it; text that is no valid key is dropped.
                    guard count.instance != quotas.instance, let key = QuotaUsageKey(key: count.key.key),
                        (0...QuotaUsageKey.maxCount).contains(count.count)
                    else { continue }
                    quotas.merge(key, count: count.count)
                }
            }
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                publishUnshared()
            }
        }
        listener.cancel()
        subscription.unsubscribe()
    }

    private func publishUnshared() {
        let hits = limiter.takeUnshared()
        let counts = quotas.takeUnshared()
        guard !hits.isEmpty || !counts.isEmpty else { return }
        do {
            let report = Report(from: instance, hits: hits, quotas: counts.isEmpty ? nil : counts)
            try connection.publish(subject, payload: try JSONEncoder().encode(report))
        } catch {
            logger.debug("rate-limit counts not shared", metadata: ["error": "\(error)"])
        }
    }
}
