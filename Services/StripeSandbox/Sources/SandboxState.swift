import Foundation
import TollgateContracts

/// Everything the sandbox remembers, changed only under its lock. What is coded here is what the
/// state file keeps; the rest (requests seen, injected failures, where events go) lasts a run.
struct SandboxState: Sendable, Codable {
    var customers: [String: SandboxCustomer] = [:]
    var products: [String: SandboxProduct] = [:]
    var prices: [String: SandboxPrice] = [:]
    var sessions: [String: SandboxCheckoutSession] = [:]
    var subscriptions: [String: SandboxSubscription] = [:]
    var invoices: [String: SandboxInvoice] = [:]
    var refunds: [String: SandboxRefund] = [:]
    var paymentMethods: [String: SandboxPaymentMethod] = [:]
    var portalSessions: [String: SandboxPortalSession] = [:]
    var testClocks: [String: SandboxTestClock] = [:]
    /// By idempotency key: what was asked and what was answered, replayed for the same request.
    var idempotent: [String: StoredAnswer] = [:]
    /// Oldest first.
    var events: [StripeSandbox.Event] = []
    /// Events the Webhook service has not accepted yet, by event id.
    var pendingDeliveries: [String: PendingDelivery] = [:]
    /// How far the sandbox's time is ahead of the wall clock, in seconds (what test clocks added).
    var clockOffset: Int64 = 0
    /// A fixed billing period in seconds (tests shorten it); nil: the price's interval, by the calendar.
    var periodSeconds: Int64?

    var requests: [StripeSandbox.SeenRequest] = []
    var webhookTarget: WebhookTarget?
    var holdDeliveries = false
    /// Answers to give instead of the real one, for the next requests (fault injection).
    var injectedFailures: [StripeSandbox.InjectedFailure] = []
    /// Stripe's time (objects' and events' `created`, periods): the wall clock plus what test clocks
    /// added; a test may move it forward too.
    let clock = TimeSource()
    /// `clock` in Unix seconds, Stripe's unit.
    var now: Int64 { Int64(clock.now.timeIntervalSince1970) }

    enum CodingKeys: String, CodingKey {
        case customers, products, prices, sessions, subscriptions, invoices, refunds, paymentMethods, portalSessions
        case testClocks, idempotent, events, pendingDeliveries, clockOffset, periodSeconds
    }

    struct StoredAnswer: Sendable, Codable {
        let endpoint: String
        let body: String
        let answer: StripeSandbox.Answer
        /// Wall-clock seconds; Stripe forgets a key after 24 hours.
        var storedAt: Int64 = Int64(Date().timeIntervalSince1970)
    }

    struct PendingDelivery: Sendable, Codable {
        var attempts: Int
        /// Wall-clock seconds.
        var nextAttemptAt: Double
    }

    struct WebhookTarget: Sendable {
        var host: String
        var port: Int
        var path: String
    }

    static func newID(_ prefix: String) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<24).map { _ in letters.randomElement()! })
    }

    /// Moves the sandbox's time forward by `seconds`.
    mutating func advanceClock(by seconds: Int64) {
        guard seconds > 0 else { return }
        clock.advance(by: .seconds(seconds))
        clockOffset += seconds
    }

    /// Drops what Stripe no longer keeps: idempotency keys after 24 hours, delivered events after
    /// 30 days of sandbox time.
    mutating func forgetOld() {
        let wallNow = Int64(Date().timeIntervalSince1970)
        idempotent = idempotent.filter { wallNow - $0.value.storedAt < 86_400 }
        let horizon = now - 30 * 86_400
        events.removeAll { $0.created < horizon && pendingDeliveries[$0.id] == nil }
    }
}
