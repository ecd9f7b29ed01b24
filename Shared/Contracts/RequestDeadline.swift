/// When the caller stops waiting for the request being worked on: set by the service's router for
/// each request from the gateway's budget, and read by slow work (password hashing) before it
/// starts, so work queued for a request the gateway already answered is dropped, not done.
public enum RequestDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// Throws `DeadlinePassed` once the current request's caller has stopped waiting.
    public static func check(now: ContinuousClock.Instant = .now) throws(DeadlinePassed) {
        if let current, now >= current { throw DeadlinePassed() }
    }
}

/// The request's caller stopped waiting before this work began; nobody will read its answer.
public struct DeadlinePassed: Error, Equatable {
    public init() {}
}
