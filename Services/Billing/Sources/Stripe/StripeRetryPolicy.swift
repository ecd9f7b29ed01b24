import Foundation

/// When to try a Stripe call again — what Stripe's libraries do: connection errors, 409 and 5xx
/// are retried; `Stripe-Should-Retry` decides when present; 429 only when that header says so (or
/// the object was locked). Each retry reuses the same idempotency key.
public struct StripeRetryPolicy: Sendable {
    public var maxRetries = 2
    public var initialDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(8)

    public init(maxRetries: Int = 2, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8)) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// `shouldRetryHeader` is the response's `Stripe-Should-Retry`; `retriesSoFar` counts retries made.
    public func shouldRetry(_ error: StripeError, shouldRetryHeader: String?, retriesSoFar: Int) -> Bool {
        guard retriesSoFar < maxRetries else { return false }
        guard let status = error.status else { return true }
        switch shouldRetryHeader?.lowercased() {
        case "true": return true
        case "false": return false
        default: break
        }
        if status == 409 { return true }
        if status == 429 { return error.code == "lock_timeout" }
        return status >= 500
    }

    /// Doubling from `initialDelay`, capped, with up to 25 % taken off at random (jitter).
    public func delay(beforeRetry retry: Int) -> Duration {
        let doubled = initialDelay * (1 << min(retry, 16))
        let capped = min(doubled, maxDelay)
        return capped - capped * Double.random(in: 0...0.25)
    }
}
