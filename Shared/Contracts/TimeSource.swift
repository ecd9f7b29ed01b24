import Foundation
import Synchronization

/// The time as Tollgate reads it: `TimeSource.system` in production; in tests, one the test moves
/// forward (`advance(by:)`) instead of sleeping until a window, a grace or a timestamp has passed.
/// Both readings move together, so wall-clock times (stored, sent) and monotonic instants (windows,
/// deadlines kept in memory) agree on how much time went by.
public final class TimeSource: Sendable {
    public static let system = TimeSource()

    private let skipped = Mutex<Duration>(.zero)

    public init() {}

    /// Wall-clock time, for what is stored or sent.
    public var now: Date {
        Date().addingTimeInterval(Self.seconds(skipped.withLock { $0 }))
    }

    /// Monotonic time, for intervals measured in memory.
    public var instant: ContinuousClock.Instant {
        ContinuousClock.now + skipped.withLock { $0 }
    }

    /// Moves this source's time forward by `duration` at once.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "time only moves forward")
        skipped.withLock { $0 += duration }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
