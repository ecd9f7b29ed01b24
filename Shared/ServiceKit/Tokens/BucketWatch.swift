import Logging
import TollgateMessaging

/// Mirrors one key-value bucket: every entry, then each change, handed to `apply`; `caughtUp`
/// runs once the current entries are in. If the bucket is missing (its owner has not started yet)
/// or the watch ends (NATS restarted), it tries again.
public struct BucketWatch: Sendable {
    let jetStream: JetStream
    let settings: KeyValueSettings
    let logger: Logger

    public init(jetStream: JetStream, settings: KeyValueSettings, logger: Logger) {
        self.jetStream = jetStream
        self.settings = settings
        self.logger = logger
    }

    public func run(apply: @Sendable (KeyValueEntry) -> Void, caughtUp: @Sendable () -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                // Opened, never created: only the bucket's owner may create it.
                let bucket = try await jetStream.existingKeyValue(settings.bucket)
                let watch = try await bucket.watchAll()
                failures = 0
                for await update in watch {
                    switch update {
                    case .entry(let entry): apply(entry)
                    case .caughtUp: caughtUp()
                    }
                }
            } catch {
                failures += 1
                // A bucket whose owner has not started yet is normal for a moment; say so only if it lasts.
                let missing = error.code == .notFound
                if (missing ? failures == 10 : failures == 1) || failures % 40 == 0 {
                    logger.warning("watch failed; retrying", metadata: ["bucket": "\(settings.bucket)", "error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
