/// Every NATS subject, stream, consumer and bucket name, derived from one prefix so several
/// deployments (or parallel tests) can share a nats-server without colliding.
public struct Subjects: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "tollgate") {
        self.prefix = prefix
    }

    /// The full subject for a route subject written relative to the prefix (`auth.login`).
    public func route(_ relative: String) -> String { "\(prefix).\(relative)" }

    // MARK: HTTP over NATS (request/reply, served by a queue group named after the service)

    public var authRegister: String { route(RouteSubject.authRegister) }
    public var authLogin: String { route(RouteSubject.authLogin) }
    public var authMe: String { route(RouteSubject.authMe) }
    public var authRefresh: String { route(RouteSubject.authRefresh) }
    public var authLogout: String { route(RouteSubject.authLogout) }
    public var authLogoutAll: String { route(RouteSubject.authLogoutAll) }
    public var authDeactivate: String { route(RouteSubject.authDeactivate) }
    public var authRequestVerify: String { route(RouteSubject.authRequestVerify) }
    public var authVerify: String { route(RouteSubject.authVerify) }
    public var authChangePassword: String { route(RouteSubject.authChangePassword) }
    public var authSessions: String { route(RouteSubject.authSessions) }
    public var authSessionDelete: String { route(RouteSubject.authSessionDelete) }
    public var authJWKS: String { route(RouteSubject.authJWKS) }
    public var authProfileGet: String { route(RouteSubject.authProfileGet) }
    public var authProfileUpdate: String { route(RouteSubject.authProfileUpdate) }
    public var authForgetPassword: String { route(RouteSubject.authForgetPassword) }
    public var authNewPassword: String { route(RouteSubject.authNewPassword) }
    public var authRequestLoginCode: String { route(RouteSubject.authRequestLoginCode) }
    public var authLoginCode: String { route(RouteSubject.authLoginCode) }
    public var authGoogleLogin: String { route(RouteSubject.authGoogleLogin) }
    public var authGoogleCallback: String { route(RouteSubject.authGoogleCallback) }
    public var authGitHubLogin: String { route(RouteSubject.authGitHubLogin) }
    public var authGitHubCallback: String { route(RouteSubject.authGitHubCallback) }
    public var authOIDCLogin: String { route(RouteSubject.authOIDCLogin) }
    public var authOIDCCallback: String { route(RouteSubject.authOIDCCallback) }
    public var authIdentities: String { route(RouteSubject.authIdentities) }
    public var authIdentityDelete: String { route(RouteSubject.authIdentityDelete) }
    public var adminStats: String { route(RouteSubject.adminStats) }
    public var adminUsersList: String { route(RouteSubject.adminUsersList) }
    public var adminUsersGet: String { route(RouteSubject.adminUsersGet) }
    public var adminUsersStatus: String { route(RouteSubject.adminUsersStatus) }
    public var adminUsersRole: String { route(RouteSubject.adminUsersRole) }
    public var adminUsersVerify: String { route(RouteSubject.adminUsersVerify) }
    public var adminAudit: String { route(RouteSubject.adminAudit) }
    public var billingAdminUserPayments: String { route(RouteSubject.billingAdminUserPayments) }
    public var billingAdminUserSubscriptions: String { route(RouteSubject.billingAdminUserSubscriptions) }
    public var billingAdminPayments: String { route(RouteSubject.billingAdminPayments) }
    public var billingAdminPayment: String { route(RouteSubject.billingAdminPayment) }
    public var billingAdminSubscriptions: String { route(RouteSubject.billingAdminSubscriptions) }
    public var billingAdminSubscription: String { route(RouteSubject.billingAdminSubscription) }
    public var billingPlansList: String { route(RouteSubject.billingPlansList) }
    public var billingPlansGet: String { route(RouteSubject.billingPlansGet) }
    public var billingPlansCreate: String { route(RouteSubject.billingPlansCreate) }
    public var billingPlansUpdate: String { route(RouteSubject.billingPlansUpdate) }
    public var billingPlansDelete: String { route(RouteSubject.billingPlansDelete) }
    public var billingSubscriptionMe: String { route(RouteSubject.billingSubscriptionMe) }
    public var billingSubscribe: String { route(RouteSubject.billingSubscribe) }
    public var billingUpgrade: String { route(RouteSubject.billingUpgrade) }
    public var billingCancel: String { route(RouteSubject.billingCancel) }
    public var billingResume: String { route(RouteSubject.billingResume) }
    public var billingChangePlan: String { route(RouteSubject.billingChangePlan) }
    public var billingPortal: String { route(RouteSubject.billingPortal) }
    public var billingPaymentsMe: String { route(RouteSubject.billingPaymentsMe) }

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

    /// The JetStream stream that holds a key-value bucket.
    public static func streamName(ofBucket bucket: String) -> String { "KV_\(bucket)" }

    /// Stream and bucket names may not contain dots; the default prefix keeps the documented names.
    private var safePrefix: String { prefix.replacingDots() }
    private func streamName(_ base: String) -> String {
        prefix == "tollgate" ? base : "\(safePrefix.uppercased())_\(base)"
    }
}

/// Route subjects relative to the prefix, as `gateway-config/gateway.yaml` names them.
public enum RouteSubject {
    public static let authRegister = "auth.register"
    public static let authLogin = "auth.login"
    public static let authMe = "auth.me"
    public static let authRefresh = "auth.refresh"
    public static let authLogout = "auth.logout"
    public static let authLogoutAll = "auth.logout-all"
    public static let authDeactivate = "auth.deactivate"
    public static let authRequestVerify = "auth.request-verify"
    public static let authVerify = "auth.verify"
    public static let authChangePassword = "auth.change-password"
    public static let authSessions = "auth.sessions.list"
    public static let authSessionDelete = "auth.sessions.delete"
    public static let authJWKS = "auth.jwks"
    public static let authProfileGet = "auth.profile.get"
    public static let authProfileUpdate = "auth.profile.update"
    public static let authForgetPassword = "auth.forget-password"
    public static let authNewPassword = "auth.new-password"
    public static let authRequestLoginCode = "auth.request-login-code"
    public static let authLoginCode = "auth.login-code"
    public static let authGoogleLogin = "auth.social.google.login"
    public static let authGoogleCallback = "auth.social.google.callback"
    public static let authGitHubLogin = "auth.social.github.login"
    public static let authGitHubCallback = "auth.social.github.callback"
    public static let authOIDCLogin = "auth.oidc.login"
    public static let authOIDCCallback = "auth.oidc.callback"
    public static let authIdentities = "auth.identities.list"
    public static let authIdentityDelete = "auth.identities.delete"
    public static let adminStats = "auth.admin.stats"
    public static let adminUsersList = "auth.admin.users.list"
    public static let adminUsersGet = "auth.admin.users.get"
    public static let adminUsersStatus = "auth.admin.users.status"
    public static let adminUsersRole = "auth.admin.users.role"
    public static let adminUsersVerify = "auth.admin.users.verify"
    public static let adminAudit = "auth.admin.audit"
    public static let billingAdminUserPayments = "billing.admin.user-payments"
    public static let billingAdminUserSubscriptions = "billing.admin.user-subscriptions"
    public static let billingAdminPayments = "billing.admin.payments.list"
    public static let billingAdminPayment = "billing.admin.payments.get"
    public static let billingAdminSubscriptions = "billing.admin.subscriptions.list"
    public static let billingAdminSubscription = "billing.admin.subscriptions.get"
    public static let billingPlansList = "billing.plans.list"
    public static let billingPlansGet = "billing.plans.get"
    public static let billingPlansCreate = "billing.plans.create"
    public static let billingPlansUpdate = "billing.plans.update"
    public static let billingPlansDelete = "billing.plans.delete"
    public static let billingSubscriptionMe = "billing.subscriptions.me"
    public static let billingSubscribe = "billing.subscriptions.subscribe"
    public static let billingUpgrade = "billing.subscriptions.upgrade"
    public static let billingCancel = "billing.subscriptions.cancel"
    public static let billingResume = "billing.subscriptions.resume"
    public static let billingChangePlan = "billing.subscriptions.change-plan"
    public static let billingPortal = "billing.portal"
    public static let billingPaymentsMe = "billing.payments.me"

    /// Every route subject some service answers; the gateway config is checked against it.
    public static let all: Set<String> = [
        authRegister, authLogin, authMe, authRefresh, authLogout, authLogoutAll, authDeactivate,
        authRequestVerify, authVerify, authChangePassword, authSessions, authSessionDelete, authJWKS,
        authProfileGet, authProfileUpdate, authForgetPassword, authNewPassword, authRequestLoginCode, authLoginCode,
        authGoogleLogin, authGoogleCallback, authGitHubLogin, authGitHubCallback, authOIDCLogin, authOIDCCallback,
        authIdentities, authIdentityDelete,
        adminStats, adminUsersList, adminUsersGet, adminUsersStatus, adminUsersRole, adminUsersVerify, adminAudit,
        billingAdminUserPayments, billingAdminUserSubscriptions, billingAdminPayments, billingAdminPayment,
        billingAdminSubscriptions, billingAdminSubscription,
        billingPlansList, billingPlansGet, billingPlansCreate, billingPlansUpdate, billingPlansDelete,
        billingSubscriptionMe, billingSubscribe, billingUpgrade, billingCancel, billingResume, billingChangePlan,
        billingPortal, billingPaymentsMe,
    ]
}

public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case gateway, auth, billing, webhook, notifier
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
