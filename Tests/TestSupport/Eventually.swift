import Foundation

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "gave up waiting: \(what)" }
}

/// Polls `condition` until it returns a value or `timeout` passes. Tests wait this way, never by
/// sleeping a fixed time.
public func eventually<Value>(
    _ what: String, timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try? await condition() { return value }
        if ContinuousClock.now >= deadline { throw DeadlineExceeded(what: what) }
        try await Task.sleep(for: interval)
    }
}
