/// Every NATS subject, stream, consumer and bucket name, derived from one prefix so several
/// deployments (or parallel tests) can share a nats-server without colliding.
public struct Subjects: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "tollgate") {
        self.prefix = prefix
    }

    /// The full subject for a route subject written relative to the prefix (`auth.login`).
    public func route(_ relative: String) -> String { "\(prefix).\(relative)" }

    /// The subject an endpoint's requests are sent on (served by a queue group named after the service).
    public func subject(of endpoint: Endpoint) -> String { route(endpoint.subject) }

    /// Auth instances tell each other that a user's row changed (core NATS, every instance listens).
    public var authUserChanged: String { "\(prefix).auth.internal.user-changed" }

    /// `tollgate-auth rotate-key` tells every Auth instance to load its signing keys again.
    public var authKeysChanged: String { "\(prefix).auth.internal.keys-changed" }

    /// Other services ask Auth for an account's email and state (`AccountLookup` → `AccountSummary`).
    /// Internal: no gateway route can name it.
    public var authAccountLookup: String { "\(prefix).auth.internal.account" }

    /// A gateway reports a signed-in user refused an admin route (the request's envelope, with the
    /// user's token), and Auth records it in its audit log. Internal.
    public var authAdminRefused: String { "\(prefix).auth.internal.admin-refused" }

    /// Billing's counts for the admin dashboard (`BillingStats`). Internal.
    public var billingStats: String { "\(prefix).billing.internal.stats" }
    /// Billing's counts for one user (`AccountLookup` → `BillingUserCounts`). Internal.
    public var billingUserCounts: String { "\(prefix).billing.internal.user-counts" }
    /// Billing's audit entries (`AuditQuery` → `[AuditEntry]`), merged by Auth for `/admin/audit`. Internal.
    public var billingAudit: String { "\(prefix).billing.internal.audit" }

    /// `tollgate-notifier dead-letters retry` asks the running Notifier to deliver a dead letter
    /// again (`DeadLetterRetry` → its outcome). Internal.
    public var notifierDeadLetterRetry: String { "\(prefix).notifier.internal.dead-letter-retry" }

    /// A service's endpoints with their query parameters, bodies and answers (`[EndpointDescription]`),
    /// which gateways ask for to write the API document. Internal.
    public func apiShapes(_ service: ServiceName) -> String { "\(prefix).\(service.rawValue).internal.api-shapes" }

    /// Gateways tell each other the requests they admitted (`RateLimitSharing`), so a policy's
    /// limit holds for the deployment. Core NATS, every gateway listens. Internal.
    public var gatewayRateLimitHits: String { "\(prefix).gateway.internal.rate-limit-hits" }

    /// Readiness: every service answers a request here.
    public func ping(_ service: ServiceName) -> String { "\(prefix).ping.\(service.rawValue)" }

    // MARK: JetStream

    public var emailStream: String { streamName("EMAIL") }
    public var emailSubjects: String { "\(prefix).email.>" }
    public func email(_ template: EmailTemplate) -> String { "\(prefix).email.\(template.rawValue)" }
    /// Emails the Notifier gave up on (`DeadLetter`), kept for inspection and retry.
    public var emailDeadStream: String { streamName("EMAIL_DEAD") }
    public var emailDeadSubject: String { "\(prefix).email-dead" }

    public var stripeStream: String { streamName("STRIPE") }
    public var stripeSubjects: String { "\(prefix).stripe.>" }
    /// A verified Stripe event, by type (`invoice.paid` → `<prefix>.stripe.event.invoice.paid`);
    /// a type with characters a subject cannot hold is filed under `other`.
    /// What Webhook publishes: every verified event's subject starts so.
    public var stripeEventSubjects: String { "\(prefix).stripe.event.>" }

    public func stripeEvent(type: String) -> String {
        let usable = !type.isEmpty && type.count <= 100
            && type.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
            && !type.hasPrefix(".") && !type.hasSuffix(".") && !type.contains("..")
        return "\(prefix).stripe.event.\(usable ? type : "other")"
    }

    public var usersStream: String { streamName("USERS") }
    public var usersSubjects: String { "\(prefix).users.>" }

    public var notifierConsumer: String { "\(safePrefix)_notifier" }
    public var billingStripeConsumer: String { "\(safePrefix)_billing_stripe" }

    // MARK: Key-value buckets

    public var jwksBucket: String { "\(safePrefix)_jwks" }
    public var revocationsBucket: String { "\(safePrefix)_revocations" }
    public var entitlementsBucket: String { "\(safePrefix)_entitlements" }
    /// Calls counted against plan quotas (`QuotaUsageKey`): written by gateways, read by Billing.
    public var usageBucket: String { "\(safePrefix)_usage" }

    /// The JetStream stream that holds a key-value bucket.
    public static func streamName(ofBucket bucket: String) -> String { "KV_\(bucket)" }

    /// Stream and bucket names may not contain dots; the default prefix keeps the documented names.
    private var safePrefix: String { prefix.replacingDots() }
    private func streamName(_ base: String) -> String {
        prefix == "tollgate" ? base : "\(safePrefix.uppercased())_\(base)"
    }
}

public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case gateway, auth, billing, webhook, notifier
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
