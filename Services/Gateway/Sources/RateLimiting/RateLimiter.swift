import Foundation
import Synchronization
import TollgateContracts

/// The outcome of counting one request against a policy.
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    public let limit: Int
    public let remaining: Int
    /// Seconds until the window resets (at least 1).
    public let resetSeconds: Int
}

/// Requests a gateway admitted for one counter in one window, to be told to the other gateways.
public struct RateLimitHits: Codable, Sendable, Equatable {
    /// `policy|key`.
    public let counter: String
    /// The window's number: wall-clock time divided by the policy's window, so every gateway
    /// numbers it alike.
    public let window: Int64
    public let count: Int

    public init(counter: String, window: Int64, count: Int) {
        self.counter = counter
        self.window = window
        self.count = count
    }
}

/// Fixed-window counters, one per (policy, key), shared across gateways: each admitted request is
/// counted here and handed out by `takeUnshared` (`RateLimitSharing` tells the other gateways);
/// their counts arrive through `add`. A request is admitted while this gateway's count plus the
/// others' is under the limit, so a deployment allows its limit plus what other gateways admitted
/// in the moments before their counts arrived.
public final class RateLimiter: Sendable {
    private struct Window {
        var number: Int64
        /// Admitted here.
        var local: Int
        /// Admitted by other gateways, as they reported.
        var others: Int
        var touched: ContinuousClock.Instant
    }

    /// More than any gateway admits in a window between two reports.
    static let maxReportedCount = 1_000_000

    private let windows = Mutex<[String: Window]>([:])
    private let unshared = Mutex<[String: RateLimitHits]>([:])
    private let clock: TimeSource
    private let lastSweep: Mutex<ContinuousClock.Instant>

    public init(clock: TimeSource = .system) {
        self.clock = clock
        lastSweep = Mutex(clock.instant)
    }

    public func check(policy: RateLimitPolicy, key: String) -> RateLimitDecision {
        let instant = clock.instant
        sweepIfDue(now: instant)
        let counter = "\(policy.name)|\(key)"
        let windowMilliseconds = max(1, policy.window.components.seconds * 1000 + policy.window.components.attoseconds / 1_000_000_000_000_000)
        let nowMilliseconds = Int64((clock.now.timeIntervalSince1970 * 1000).rounded(.down))
        let number = nowMilliseconds / windowMilliseconds
        let (allowed, used) = windows.withLock { windows -> (Bool, Int) in
            var window = windows[counter] ?? Window(number: number, local: 0, others: 0, touched: instant)
            // A window ahead of this one is another gateway's clock a little fast (kept) or a bad
            // report (more than one window ahead: dropped, so it cannot hold a key shut).
            if window.number < number || window.number > number + 1 {
                window = Window(number: number, local: 0, others: 0, touched: instant)
            }
            window.touched = instant
            let allowed = window.local + window.others < policy.limit
            if allowed { window.local += 1 }
            windows[counter] = window
            return (allowed, window.local + window.others)
        }
        if allowed {
            unshared.withLock { unshared in
                let previous = unshared[counter].flatMap { $0.window == number ? $0.count : nil } ?? 0
                unshared[counter] = RateLimitHits(counter: counter, window: number, count: previous + 1)
            }
        }
        let leftMilliseconds = (number + 1) * windowMilliseconds - nowMilliseconds
        return RateLimitDecision(
            allowed: allowed, limit: policy.limit, remaining: max(0, policy.limit - used),
            resetSeconds: max(1, Int((leftMilliseconds + 999) / 1000)))
    }

    /// What this gateway admitted since the last call, for the other gateways.
    public func takeUnshared() -> [RateLimitHits] {
        unshared.withLock { unshared in
            defer { unshared.removeAll(keepingCapacity: true) }
            return Array(unshared.values)
        }
    }

    /// Counts another gateway admitted. A report of a window this gateway has left is old news; a
    /// count outside 1…`maxReportedCount` is no gateway's and is dropped (sums saturate, never trap).
    public func add(_ hits: [RateLimitHits]) {
        let instant = clock.instant
        windows.withLock { windows in
            for hit in hits where (1...Self.maxReportedCount).contains(hit.count) {
                var window = windows[hit.counter] ?? Window(number: hit.window, local: 0, others: 0, touched: instant)
                if window.number > hit.window { continue }
                if window.number < hit.window { window = Window(number: hit.window, local: 0, others: 0, touched: instant) }
                window.others = min(window.others + hit.count, Int(Int32.max))
                window.touched = instant
                windows[hit.counter] = window
            }
        }
    }

    /// Forgets windows idle for over an hour, so memory stays bounded by recent clients.
    private func sweepIfDue(now: ContinuousClock.Instant) {
        let due = lastSweep.withLock { last -> Bool in
            guard now - last > .seconds(60) else { return false }
            last = now
            return true
        }
        guard due else { return }
        windows.withLock { windows in
            windows = windows.filter { now - $0.value.touched < .seconds(3600) }
        }
    }
}
