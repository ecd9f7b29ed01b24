import Foundation
import TollgateServiceKit

// Typical bodies of Billing's endpoints: the API document derives their schemas from these.

private let exampleTime = Date(timeIntervalSince1970: 1_780_000_000)

extension PlanResponse: APIExample {
    public static let example = PlanResponse(
        id: "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a098", name: "Pro", code: "pro", priceCents: 9900, currency: "usd",
        billingPeriod: "monthly", tier: 1, isActive: true, features: ["reports", "export"], limits: ["projects": 10])
}

extension PlanInput: APIExample {
    static let example = PlanInput(
        name: "Pro", code: "pro", priceCents: 9900, billingPeriod: "monthly", currency: "usd", isActive: true, tier: 1,
        features: ["reports", "export"], limits: ["projects": 10, "api_calls": 50_000])
}

extension EntitlementHandlers.EntitlementResponse: APIExample {
    static let example = EntitlementHandlers.EntitlementResponse(
        plan: "pro", tier: 1, features: ["reports", "export"], limits: ["projects": 10, "api_calls": 50_000],
        accessUntil: exampleTime.addingTimeInterval(30 * 86_400), usage: ["api_calls": 1_234])
}

extension SubscriptionResponse: APIExample {
    static let example = SubscriptionResponse(
        id: "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928", status: "active", startedAt: exampleTime, cancelAtPeriodEnd: false,
        currentPeriodEnd: exampleTime.addingTimeInterval(30 * 86_400), provider: "stripe",
        providerSubscriptionID: "sub_1QxExample", plan: .example)
}

extension PaymentResponse: APIExample {
    static let example = PaymentResponse(
        id: "1a2b3c4d-5e6f-4789-8abc-def012345678", subscriptionID: "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928",
        provider: "stripe", providerInvoiceID: "in_1QxExample", amountCents: 9900, currency: "usd", status: "paid",
        createdAt: exampleTime)
}

extension SubscriptionHandlers.PlanChoice: APIExample {
    static let example = SubscriptionHandlers.PlanChoice(planCode: "pro")
}

extension SubscriptionHandlers.CheckoutAnswer: APIExample {
    static let example = SubscriptionHandlers.CheckoutAnswer(checkoutURL: "https://checkout.stripe.com/c/pay/cs_test_a1b2c3")
}

extension SubscriptionHandlers.PortalAnswer: APIExample {
    static let example = SubscriptionHandlers.PortalAnswer(url: "https://billing.stripe.com/p/session/test_a1b2c3")
}

extension BillingAdminHandlers.PaymentDetail: APIExample {
    static let example = BillingAdminHandlers.PaymentDetail(payment: .example, subscription: .example)
}

extension BillingAdminHandlers.SubscriptionDetail: APIExample {
    static let example = BillingAdminHandlers.SubscriptionDetail(subscription: .example, payments: [.example])
}
