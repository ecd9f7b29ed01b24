import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Keeps `QuotaCounter` and the usage bucket in step: reads every instance's counts from the
/// bucket (this one's own too, after a restart) and writes this instance's, every `interval` and
/// once more at shutdown. What a crash keeps from the bucket is at most `interval` of this
/// instance's counting; the other gateways heard it sooner, through the rate-limit reports.
struct QuotaUsageSync: Service {
    let jetStream: JetStream
    let settings: KeyValueSettings
    let counter: QuotaCounter
    let interval: Duration
    let clock: TimeSource
    let logger: Logger

    func run() async throws {
        let counter = self.counter
        let watch = Task {
            await BucketWatch(jetStream: jetStream, settings: settings, logger: logger).run(
                apply: { entry in
                    guard entry.operation == .put, let key = QuotaUsageKey(key: entry.key), let count = QuotaUsageKey.count(entry.value)
                    else { return }
                    counter.merge(key, count: count)
                },
                caughtUp: { counter.markLoaded() })
        }
        defer { watch.cancel() }
        let bucket = await cancelWhenGracefulShutdown { await openAndSave() }
        if let bucket { await save(to: bucket) }
    }

    /// Opens the bucket (the gateways own it: the first to start makes it), then saves every
    /// `interval` until cancelled; returns the bucket for the last save.
    private func openAndSave() async -> KeyValueBucket? {
        var bucket: KeyValueBucket?
        while !Task.isCancelled {
            if bucket == nil {
                do {
                    bucket = try await StreamSetup.openBucket(settings, on: jetStream)
                } catch {
                    logger.warning("usage bucket not available; quota counts are not saved yet", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: interval)
            if let bucket { await save(to: bucket) }
        }
        return bucket
    }

    private func save(to bucket: KeyValueBucket) async {
        for count in counter.unsaved() {
            do {
                try await bucket.put(count.key.key, Data(String(count.count).utf8))
                counter.saved(count)
            } catch {
                logger.warning("quota count not saved; trying again", metadata: ["error": "\(error)"])
                return
            }
        }
        counter.forgetEnded(before: Int64(clock.now.timeIntervalSince1970))
    }
}
