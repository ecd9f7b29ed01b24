import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Billing's copy of the usage bucket the gateways write (`QuotaUsageKey`), for
/// `GET /billing/entitlements/me`: each instance's count of each user's calls per quota and period.
final class QuotaUsageState: Sendable {
    private let counts = Mutex<[QuotaUsageKey: Int]>([:])

    func apply(_ entry: KeyValueEntry, now: Date) {
        guard let key = QuotaUsageKey(key: entry.key) else { return }
        // Ended periods are of no use here: not kept.
        let count = entry.operation == .put && key.periodEnd >= Int64(now.timeIntervalSince1970) ? QuotaUsageKey.count(entry.value) : nil
        counts.withLock { $0[key] = count }
    }

    /// Calls counted in the period ending at `periodEnd`, by quota, summed over gateway instances.
    func usage(user: String, periodEnd: Int64) -> [String: Int] {
        let user = user.lowercased()
        return counts.withLock { counts in
            var usage: [String: Int] = [:]
            for (key, count) in counts where key.user == user && key.periodEnd == periodEnd {
                usage[key.quota, default: 0] += count
            }
            return usage
        }
    }
}

/// Mirrors the usage bucket into `QuotaUsageState`.
struct QuotaUsageWatcher: Service {
    let jetStream: JetStream
    let subjects: Subjects
    let state: QuotaUsageState
    let logger: Logger

    func run() async throws {
        let state = self.state
        await cancelWhenGracefulShutdown {
            await BucketWatch(jetStream: jetStream, settings: SharedBuckets.usage(subjects), logger: logger).run(
                apply: { state.apply($0, now: Date()) }, caughtUp: {})
        }
    }
}
