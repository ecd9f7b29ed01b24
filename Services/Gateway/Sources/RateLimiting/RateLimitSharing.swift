import Foundation
import Logging
import ServiceLifecycle
import TollgateMessaging

/// Keeps the gateways' rate-limit counts in step: every `interval` this gateway publishes what it
/// admitted since the last time, and adds what the others publish. Core NATS, no stream: a report
/// lost while a server changes costs a little overshoot, never a request.
struct RateLimitSharing: Service {
    let limiter: RateLimiter
    let connection: NatsConnection
    let subject: String
    let interval: Duration
    let logger: Logger
    /// This gateway's name in its reports, so it skips its own.
    let instance = UUID().uuidString

    struct Report: Codable {
        let from: String
        let hits: [RateLimitHits]
    }

    func run() async throws {
        let subscription = try connection.subscribe(subject)
        let instance = self.instance
        let limiter = self.limiter
        let listener = Task {
            for await message in subscription {
                guard let report = try? JSONDecoder().decode(Report.self, from: message.payload), report.from != instance else {
                    continue
                }
                limiter.add(report.hits)
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
        guard !hits.isEmpty else { return }
        do {
            try connection.publish(subject, payload: try JSONEncoder().encode(Report(from: instance, hits: hits)))
        } catch {
            logger.debug("rate-limit counts not shared", metadata: ["error": "\(error)"])
        }
    }
}
