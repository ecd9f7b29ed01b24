import TollgateServiceKit

/// What each of Billing's endpoints reads and answers, for the API document. The gateway adds what
/// it answers itself (401, 403 for admins, 402 for a plan tier, 413, 415, 429, 503, 504).
enum BillingAPI {
    static let inactive = Answer.error(403, "User account is not active or verified")
    static let paymentsOff = Answer.error(503, "Payments are not configured", headers: ["Retry-After"])
    static let stripeFailed = Answer.error(502, "Stripe refused or could not be reached")
    static let planNotFound = Answer.error(404, "No plan found for this id")

    static let plansList = EndpointShape(answers: [.json(200, [PlanResponse].self, "The plans on sale")])
    static let plansGet = EndpointShape(answers: [.json(200, PlanResponse.self, "The plan"), planNotFound])
    static let plansCreate = EndpointShape(
        body: PlanInput.self,
        answers: [
            .json(201, PlanResponse.self, "The plan, with its Stripe product and price"), .error(400, "Existing Code"),
            stripeFailed, .validation,
        ])
    static let plansUpdate = EndpointShape(
        body: PlanInput.self,
        answers: [.json(200, PlanResponse.self, "The plan after the change"), planNotFound, .error(400, "Existing Code"), stripeFailed, .validation])
    static let plansDelete = EndpointShape(answers: [
        .empty(204, "Withdrawn from sale"), planNotFound, .error(400, "Plan already deleted."), stripeFailed,
    ])
    static let subscriptionMe = EndpointShape(answers: [
        .json(200, SubscriptionResponse.self, "The subscription that gives access now"),
        .error(404, "No active subscription found for this user."), inactive,
    ])
    static let subscribe = EndpointShape(
        body: SubscriptionHandlers.PlanChoice.self,
        answers: [
            .json(201, SubscriptionHandlers.CheckoutAnswer.self, "Stripe Checkout's URL (the same while it is open)"),
            .error(404, "No active plan found for this code."), .error(400, "User already has an active subscription."), inactive,
            paymentsOff, stripeFailed, .validation,
        ])
    static let upgrade = EndpointShape(
        body: SubscriptionHandlers.PlanChoice.self,
        answers: [
            .json(200, SubscriptionHandlers.CheckoutAnswer.self, "Stripe Checkout's URL for the new plan"),
            .error(404, "No active subscription to upgrade. / Plan not found."), .error(400, "You are already on this plan."),
            inactive, paymentsOff, stripeFailed, .validation,
        ])
    static let cancel = EndpointShape(answers: [
        .json(200, SubscriptionResponse.self, "Set to cancel at the end of the billing period"),
        .error(404, "No active subscription found for this user."),
        .error(400, "Subscription is already set to cancel at the end of the billing period."), inactive, paymentsOff,
        stripeFailed,
    ])
    static let resume = EndpointShape(answers: [
        .json(200, SubscriptionResponse.self, "No longer set to cancel"), .error(404, "No active subscription found for this user."),
        .error(400, "Subscription is not set to cancel"), inactive, paymentsOff, stripeFailed,
    ])
    static let changePlan = EndpointShape(
        body: SubscriptionHandlers.PlanChoice.self,
        answers: [
            .json(200, SubscriptionResponse.self, "On the new plan now, prorated"),
            .error(404, "No active subscription to upgrade. / Plan not found."),
            .error(400, "You are already on this plan. / This subscription cannot change plan in place"), inactive, paymentsOff,
            stripeFailed, .validation,
        ])
    static let portal = EndpointShape(answers: [
        .json(200, SubscriptionHandlers.PortalAnswer.self, "Stripe's billing portal for the user"),
        .error(404, "No billing account yet; subscribe first"), inactive, paymentsOff, stripeFailed,
    ])
    static let entitlementsMe = EndpointShape(answers: [
        .json(200, EntitlementHandlers.EntitlementResponse.self, "The plan giving access now (none: tier 0, no plan), with its features and limits")
    ])
    static let paymentsMe = EndpointShape(answers: [.json(200, [PaymentResponse].self, "The user's payments, newest first"), inactive])

    static let adminPayments = EndpointShape(
        query: PageRequest.queryParameters,
        answers: [.json(200, Page<PaymentResponse>.self, "A page of payments, newest first"), .validation])
    static let adminUserPayments = EndpointShape(
        query: PageRequest.queryParameters,
        answers: [.json(200, Page<PaymentResponse>.self, "A page of the user's payments"), .error(404, "User not found"), .validation])
    static let adminPayment = EndpointShape(answers: [
        .json(200, BillingAdminHandlers.PaymentDetail.self, "The payment and its subscription"), .error(404, "Payment not found"),
    ])
    static let adminSubscriptions = EndpointShape(
        query: PageRequest.queryParameters,
        answers: [.json(200, Page<SubscriptionResponse>.self, "A page of subscriptions, newest first"), .validation])
    static let adminUserSubscriptions = EndpointShape(
        query: PageRequest.queryParameters,
        answers: [
            .json(200, Page<SubscriptionResponse>.self, "A page of the user's subscriptions"), .error(404, "User not found"),
            .validation,
        ])
    static let adminSubscription = EndpointShape(answers: [
        .json(200, BillingAdminHandlers.SubscriptionDetail.self, "The subscription and its payments"),
        .error(404, "Subscription not found"),
    ])
}
