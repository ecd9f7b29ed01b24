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

/// In-memory fixed-window counters, one per (policy, key). Each gateway counts on its own.
public final class RateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    private let windows = Mutex<[String: Window]>([:])
    private let clock: TimeSource
    private let lastSweep: Mutex<ContinuousClock.Instant>

    public init(clock: TimeSource = .system) {
        self.clock = clock
        lastSweep = Mutex(clock.instant)
    }

    public func check(policy: RateLimitPolicy, key: String) -> RateLimitDecision {
        let now = clock.instant
        sweepIfDue(now: now)
        let counterKey = "\(policy.name)|\(key)"
        return windows.withLock { windows in
            var window = windows[counterKey] ?? Window(start: now, count: 0)
            if now - window.start >= policy.window { window = Window(start: now, count: 0) }
            let allowed = window.count < policy.limit
            if allowed { window.count += 1 }
            windows[counterKey] = window
            let left = policy.window - (now - window.start)
            let resetSeconds = max(1, Int((Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18).rounded(.up)))
            return RateLimitDecision(
                allowed: allowed, limit: policy.limit, remaining: max(0, policy.limit - window.count),
                resetSeconds: resetSeconds)
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
            windows = windows.filter { now - $0.value.start < .seconds(3600) }
        }
    }
}
