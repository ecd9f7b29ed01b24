import Foundation
import TollgateConfig

/// Billing's configuration from environment variables.
public struct BillingConfig: Sendable {
    public var common: CommonConfig
    public var databaseURL: String
    /// `STRIPE_SECRET_KEY`; without it Billing cannot call Stripe (plans stay local, checkout is refused).
    public var stripeSecretKey: String?
    /// `STRIPE_API_BASE`: Stripe's API, or a Stripe-compatible server in tests.
    public var stripeAPIBase: String
    /// Where Checkout sends the user after paying; Stripe fills in `{CHECKOUT_SESSION_ID}`.
    public var checkoutSuccessURL: String
    /// Where Checkout's back link goes.
    public var checkoutCancelURL: String
    /// Where the billing portal's back link goes.
    public var portalReturnURL: String
    /// How often the expiry sweep runs (`TOLLGATE_BILLING_SWEEP_SECONDS`, default one hour).
    public var sweepInterval: Duration
    /// How many Stripe events one instance applies at once.
    public var eventsInFlight: Int
    /// `TOLLGATE_BILLING_EVENTS_ACK_WAIT` (seconds): how long an event handed to an instance may go
    /// unacknowledged before JetStream gives it to another (an instance that died holds it that long).
    public var eventsAckWait: Duration
    /// `TOLLGATE_PLAN_TIERS`: the tiers a plan may have (the gateway's `tier:` gates compare with them).
    public var planTiers: Set<Int>

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> BillingConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        let web: Set<String> = ["http", "https"]
        let config = BillingConfig(
            common: common,
            databaseURL: reader.databaseURL(
                "TOLLGATE_BILLING_DATABASE_URL", default: common.defaultDatabaseURL(service: "billing")),
            stripeSecretKey: reader.optionalString("STRIPE_SECRET_KEY"),
            stripeAPIBase: reader.url("STRIPE_API_BASE", default: "https://api.stripe.com", schemes: web),
            checkoutSuccessURL: reader.url(
                "TOLLGATE_CHECKOUT_SUCCESS_URL",
                default: "\(common.publicURL)/billing/success?session_id={CHECKOUT_SESSION_ID}", schemes: web),
            checkoutCancelURL: reader.url(
                "TOLLGATE_CHECKOUT_CANCEL_URL", default: "\(common.publicURL)/billing/cancel", schemes: web),
            portalReturnURL: reader.url("TOLLGATE_PORTAL_RETURN_URL", default: "\(common.publicURL)/account", schemes: web),
            sweepInterval: reader.seconds("TOLLGATE_BILLING_SWEEP_SECONDS", default: .seconds(3600), in: 1...86_400),
            eventsInFlight: reader.int("TOLLGATE_BILLING_EVENTS_IN_FLIGHT", default: 64, in: 1...256),
            eventsAckWait: reader.seconds("TOLLGATE_BILLING_EVENTS_ACK_WAIT", default: .seconds(60), in: 1...3600),
            planTiers: Self.tiers(&reader))
        try reader.finish()
        return config
    }

    /// Comma-separated integers 0…100; by default the contract's 0 free, 1 pro, 2 vip.
    static func tiers(_ reader: inout EnvironmentReader) -> Set<Int> {
        let text = reader.string("TOLLGATE_PLAN_TIERS", default: "0,1,2")
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let tiers = parts.compactMap { Int($0) }.filter { (0...100).contains($0) }
        guard !tiers.isEmpty, tiers.count == parts.count else {
            reader.addProblem("TOLLGATE_PLAN_TIERS: comma-separated integers from 0 to 100, got \"\(text)\"")
            return [0, 1, 2]
        }
        return Set(tiers)
    }
}
