/// The Billing service's HTTP endpoints.
public enum BillingEndpoints {
    public static let plansList = Endpoint(
        "GET", "/billing/plans", subject: "billing.plans.list", access: .public, rateLimit: "public",
        summary: "The plans on sale")
    public static let plansGet = Endpoint(
        "GET", "/billing/plans/{plan_id}", subject: "billing.plans.get", access: .public, rateLimit: "public",
        summary: "One plan")
    public static let plansCreate = Endpoint(
        "POST", "/billing/plans", subject: "billing.plans.create", access: .admin, rateLimit: "authenticated",
        summary: "Create a plan (and its Stripe product and price)")
    public static let plansUpdate = Endpoint(
        "PATCH", "/billing/plans/{plan_id}", subject: "billing.plans.update", access: .admin,
        rateLimit: "authenticated", summary: "Change a plan")
    public static let plansDelete = Endpoint(
        "DELETE", "/billing/plans/{plan_id}", subject: "billing.plans.delete", access: .admin,
        rateLimit: "authenticated", summary: "Withdraw a plan from sale")
    public static let subscriptionMe = Endpoint(
        "GET", "/billing/subscriptions/me", subject: "billing.subscriptions.me", access: .user,
        rateLimit: "authenticated", summary: "The user's active subscription")
    public static let subscribe = Endpoint(
        "POST", "/billing/subscriptions/subscribe", subject: "billing.subscriptions.subscribe", access: .user,
        rateLimit: "authenticated", summary: "Start a Stripe Checkout for a plan")
    public static let upgrade = Endpoint(
        "POST", "/billing/subscriptions/upgrade", subject: "billing.subscriptions.upgrade", access: .user,
        rateLimit: "authenticated", summary: "Move the subscription to another plan now")
    public static let cancel = Endpoint(
        "POST", "/billing/subscriptions/cancel", subject: "billing.subscriptions.cancel", access: .user,
        rateLimit: "authenticated", summary: "Cancel at the end of the billing period")
    public static let resume = Endpoint(
        "POST", "/billing/subscriptions/resume", subject: "billing.subscriptions.resume", access: .user,
        rateLimit: "authenticated", summary: "Undo a cancellation before the period ends")
    public static let changePlan = Endpoint(
        "POST", "/billing/subscriptions/change-plan", subject: "billing.subscriptions.change-plan", access: .user,
        rateLimit: "authenticated", summary: "Change plan, prorated")
    public static let portal = Endpoint(
        "POST", "/billing/portal", subject: "billing.portal", access: .user, rateLimit: "authenticated",
        summary: "Open Stripe's billing portal")
    public static let paymentsMe = Endpoint(
        "GET", "/billing/payments/me", subject: "billing.payments.me", access: .user, rateLimit: "authenticated",
        summary: "The user's payments")
    public static let entitlementsMe = Endpoint(
        "GET", "/billing/entitlements/me", subject: "billing.entitlements.me", access: .user, rateLimit: "authenticated",
        summary: "What the user's plan entitles them to: plan, tier, features, limits, usage this period")
    public static let adminUserPayments = Endpoint(
        "GET", "/users/{user_id}/transactions", subject: "billing.admin.user-payments", access: .admin,
        rateLimit: "authenticated", summary: "One user's payments")
    public static let adminUserSubscriptions = Endpoint(
        "GET", "/users/{user_id}/subscriptions", subject: "billing.admin.user-subscriptions", access: .admin,
        rateLimit: "authenticated", summary: "One user's subscriptions")
    public static let adminPayments = Endpoint(
        "GET", "/billing/transactions", subject: "billing.admin.payments.list", access: .admin,
        rateLimit: "authenticated", summary: "All payments")
    public static let adminPayment = Endpoint(
        "GET", "/billing/transactions/{payment_id}", subject: "billing.admin.payments.get", access: .admin,
        rateLimit: "authenticated", summary: "One payment")
    public static let adminSubscriptions = Endpoint(
        "GET", "/billing/subscriptions", subject: "billing.admin.subscriptions.list", access: .admin,
        rateLimit: "authenticated", summary: "All subscriptions")
    public static let adminSubscription = Endpoint(
        "GET", "/billing/subscriptions/{sub_id}", subject: "billing.admin.subscriptions.get", access: .admin,
        rateLimit: "authenticated", summary: "One subscription")

    public static let all: [Endpoint] = [
        plansList, plansGet, plansCreate, plansUpdate, plansDelete, subscriptionMe, subscribe, upgrade, cancel, resume,
        changePlan, portal, paymentsMe, entitlementsMe, adminUserPayments, adminUserSubscriptions, adminPayments, adminPayment,
        adminSubscriptions, adminSubscription,
    ]
}
