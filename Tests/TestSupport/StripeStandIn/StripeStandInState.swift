import Foundation
import TollgateContracts

/// Everything the stand-in remembers, changed only under its lock.
struct StripeStandInState: Sendable {
    var customers: [String: StandInCustomer] = [:]
    var products: [String: StandInProduct] = [:]
    var prices: [String: StandInPrice] = [:]
    var sessions: [String: StandInCheckoutSession] = [:]
    var subscriptions: [String: StandInSubscription] = [:]
    var invoices: [String: StandInInvoice] = [:]
    var refunds: [String: StandInRefund] = [:]
    /// By idempotency key: what was asked and what was answered, replayed for the same request.
    var idempotent: [String: StoredAnswer] = [:]
    var events: [StripeStandIn.Event] = []
    var requests: [StripeStandIn.SeenRequest] = []
    var webhookURL: (port: Int, path: String)?
    var holdDeliveries = false
    /// How long a billing period lasts (a month by default; tests shorten it to see periods end).
    var periodSeconds: Int64 = 30 * 86_400
    /// Answers to give instead of the real one, for the next requests (fault injection).
    var injectedFailures: [StripeStandIn.InjectedFailure] = []
    /// Stripe's time (objects' and events' `created`, periods); a test moves it forward, as a Stripe
    /// test clock does.
    let clock = TimeSource()
    /// `clock` in Unix seconds, Stripe's unit.
    var now: Int64 { Int64(clock.now.timeIntervalSince1970) }

    struct StoredAnswer: Sendable {
        let endpoint: String
        let body: String
        let answer: StripeStandIn.Answer
    }

    static func newID(_ prefix: String) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<24).map { _ in letters.randomElement()! })
    }
}
