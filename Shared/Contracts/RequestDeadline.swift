/// When the caller stops waiting for the request being worked on: set by the service's router for
/// each request from the gateway's budget, and read by slow work (password hashing) before it
/// starts, so work queued for a request the gateway already answered is dropped, not done.
public struct RequestDeadline: Sendable {
    @TaskLocal public static var current: RequestDeadline?

    public let instant: ContinuousClock.Instant
    /// The time the deadline is read against.
    public let clock: TimeSource

    public init(_ instant: ContinuousClock.Instant, clock: TimeSource) {
        self.instant = instant
        self.clock = clock
    }

    public var hasPassed: Bool { clock.instant >= instant }

    /// Throws `DeadlinePassed` once the current request's caller has stopped waiting.
    public static func check() throws(DeadlinePassed) {
        if let current, current.hasPassed { throw DeadlinePassed() }
    }
}

/// The request's caller stopped waiting before this work began; nobody will read its answer.
public struct DeadlinePassed: Error, Equatable {
    public init() {}
}
