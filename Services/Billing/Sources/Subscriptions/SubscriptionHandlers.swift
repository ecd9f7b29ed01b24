import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// The signed-in user's subscription routes (all "bearer (verified)").
struct SubscriptionHandlers: Sendable {
    let database: ServiceDatabase
    let accounts: AccountDirectory
    let catalog: PlanCatalog
    let customers: StripeCustomerDirectory?
    let stripe: StripeCalls?
    let sync: SubscriptionSync
    let audit: BillingAuditLog
    let checkouts: OpenCheckouts
    let urls: CheckoutURLs

    struct CheckoutURLs: Sendable {
        let success: String
        let cancel: String
        let portalReturn: String
    }

    struct PlanChoice: Codable {
        let planCode: String

        enum CodingKeys: String, CodingKey {
            case planCode = "plan_code"
        }
    }

    /// Stripe's billing portal for the user.
    struct PortalAnswer: Encodable {
        let url: String
    }

    struct CheckoutAnswer: Encodable {
        let checkoutURL: String

        enum CodingKeys: String, CodingKey {
            case checkoutURL = "checkout_url"
        }
    }

    /// `GET /billing/subscriptions/me`: the subscription that gives access now.
    func me(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        let current = try await currentSubscription(principal.userID, otherwise: Self.noSubscription)
        return .json(200, SubscriptionResponse(current, plan: try await Plan.find(current.planID, on: database.database)))
    }

    /// `POST /billing/subscriptions/subscribe` → 201 `{checkout_url}`.
    func subscribe(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let account = try await accounts.verifiedAccount(principal)
        let plan = try await activePlan(try request.decode(PlanChoice.self).planCode, otherwise: "No active plan found for this code.")
        if try await subscriptionWithAccess(principal.userID) != nil {
            throw HTTPFailure(400, "User already has an active subscription.")
        }
        let url = try await checkout(account: account, plan: plan, upgradeFrom: nil)
        try await audit.record("subscription.checkout", target: principal.userID, request: request, after: "plan=\(plan.code)")
        return .json(201, CheckoutAnswer(checkoutURL: url))
    }

    /// `POST /billing/subscriptions/upgrade` → 200 `{checkout_url}`; the old subscription is canceled
    /// once Checkout completes.
    func upgrade(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let account = try await accounts.verifiedAccount(principal)
        let choice = try request.decode(PlanChoice.self)
        let current = try await currentSubscription(principal.userID, otherwise: "No active subscription to upgrade.")
        let plan = try await activePlan(choice.planCode, otherwise: Self.planNotFound)
        if plan.id == current.planID { throw HTTPFailure(400, Self.samePlan) }
        let url = try await checkout(account: account, plan: plan, upgradeFrom: current.id)
        try await audit.record("subscription.upgrade_checkout", target: principal.userID, request: request, after: "plan=\(plan.code)")
        return .json(200, CheckoutAnswer(checkoutURL: url))
    }

    /// `POST /billing/subscriptions/cancel`: access stays until the period ends.
    func cancel(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        let current = try await currentSubscription(principal.userID, otherwise: Self.noSubscription)
        if current.cancelAtPeriodEnd {
            throw HTTPFailure(400, "Subscription is already set to cancel at the end of the billing period.")
        }
        try await audit.record(
            "subscription.cancel", target: principal.userID, request: request, before: "cancel_at_period_end=false",
            after: "cancel_at_period_end=true")
        return try await setCancelAtPeriodEnd(current, true)
    }

    /// `POST /billing/subscriptions/resume`: undoes a scheduled cancellation.
    func resume(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        let current = try await currentSubscription(principal.userID, otherwise: Self.noSubscription)
        if !current.cancelAtPeriodEnd { throw HTTPFailure(400, "Subscription is not set to cancel") }
        try await audit.record(
            "subscription.resume", target: principal.userID, request: request, before: "cancel_at_period_end=true",
            after: "cancel_at_period_end=false")
        return try await setCancelAtPeriodEnd(current, false)
    }

    /// `POST /billing/subscriptions/change-plan`: the same subscription moves to another plan's
    /// price, prorated; no second checkout.
    func changePlan(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        let choice = try request.decode(PlanChoice.self)
        let current = try await currentSubscription(principal.userID, otherwise: Self.noSubscription)
        let plan = try await activePlan(choice.planCode, otherwise: Self.planNotFound)
        if plan.id == current.planID { throw HTTPFailure(400, Self.samePlan) }
        guard let stripe, let stripeID = current.providerSubscriptionID, let itemID = current.providerItemID else {
            throw HTTPFailure(400, "This subscription cannot change plan in place")
        }
        let priceID = try await catalog.priceID(for: plan)
        let readAt = Date()
        let remote = try await StripeError.answeringClient("Stripe could not do this") { try await stripe.changePrice(stripeID, itemID: itemID, priceID: priceID, version: current.syncedAt) }
        let from = try await Plan.find(current.planID, on: database.database)?.code ?? "?"
        try await audit.record(
            "subscription.change_plan", target: principal.userID, request: request, before: "plan=\(from)", after: "plan=\(plan.code)")
        return try await answer(remote, readAt: readAt)
    }

    /// `POST /billing/portal` → `{url}`: Stripe's page for cards, invoices and plan changes.
    func portal(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        _ = try await accounts.verifiedAccount(principal)
        guard let stripe, let customers else { throw HTTPFailure(503, "Payments are not configured") }
        guard let customer = try await customers.existing(principal.userID) else {
            throw HTTPFailure(404, "No billing account yet; subscribe first")
        }
        let session = try await StripeError.answeringClient("Stripe could not do this") {
            try await stripe.portal(customerID: customer, returnURL: urls.portalReturn, attempt: UUID())
        }
        return .json(200, PortalAnswer(url: session.url))
    }

    // MARK: Helpers

    private func setCancelAtPeriodEnd(_ current: Subscription, _ cancel: Bool) async throws -> ServiceResponse {
        guard let stripe, let stripeID = current.providerSubscriptionID else {
            current.cancelAtPeriodEnd = cancel
            try await current.save(on: database.database)
            return .json(200, SubscriptionResponse(current, plan: try await Plan.find(current.planID, on: database.database)))
        }
        let readAt = Date()
        let remote = try await StripeError.answeringClient("Stripe could not do this") { try await stripe.setCancelAtPeriodEnd(stripeID, cancel, version: current.syncedAt) }
        return try await answer(remote, readAt: readAt)
    }

    private func answer(_ remote: StripeSubscription, readAt: Date) async throws -> ServiceResponse {
        guard let applied = try await sync.apply(remote, readAt: readAt) else {
            throw HTTPFailure(502, "Stripe answered with a subscription Billing does not know")
        }
        return .json(200, SubscriptionResponse(applied.subscription, plan: applied.plan))
    }

    /// The Checkout URL for this user, plan and purpose: the open session's again while it is open
    /// (however many requests arrive at once), else a new one.
    private func checkout(account: AccountSummary, plan: Plan, upgradeFrom: UUID?) async throws -> String {
        guard let stripe, let customers, let planID = plan.id else { throw HTTPFailure(503, "Payments are not configured") }
        let claim: UUID
        do {
            switch try await checkouts.turn(user: account.id, purpose: OpenCheckouts.purpose(plan: planID, upgradeFrom: upgradeFrom)) {
            case .open(let url): return url
            case .make(let made): claim = made
            }
        } catch is CheckoutBusy {
            throw HTTPFailure(503, "Checkout is being prepared; retry in a moment", headers: [("Retry-After", "2")])
        }
        do {
            let priceID = try await catalog.priceID(for: plan)
            let session = try await StripeError.answeringClient("Stripe could not do this") {
                let customer = try await customers.ensure(account)
                return try await stripe.createCheckout(
                    .init(
                        customerID: customer, priceID: priceID, userID: account.id, plan: plan, upgradeFrom: upgradeFrom,
                        successURL: urls.success, cancelURL: urls.cancel, attempt: claim))
            }
            guard let url = session.url else { throw HTTPFailure(502, "Stripe did not return a checkout URL") }
            let expiresAt = session.expiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date().addingTimeInterval(23 * 3600)
            try await checkouts.opened(claim: claim, sessionID: session.id, url: url, expiresAt: expiresAt)
            return url
        } catch {
            try? await checkouts.abandon(claim: claim)
            throw error
        }
    }

    // The starter's words.
    static let noSubscription = "No active subscription found for this user."
    static let planNotFound = "Plan not found."
    static let samePlan = "You are already on this plan."

    /// The active plan with this code, or 404 with `otherwise`.
    private func activePlan(_ code: String, otherwise detail: String) async throws -> Plan {
        guard let plan = try await Plan.query(on: database.database).filter(\.$code == code).filter(\.$isActive == true).first()
        else { throw HTTPFailure(404, detail) }
        return plan
    }

    /// The subscription giving access now, or 404 with `otherwise`.
    private func currentSubscription(_ userID: UUID, otherwise detail: String) async throws -> Subscription {
        guard let current = try await subscriptionWithAccess(userID) else { throw HTTPFailure(404, detail) }
        return current
    }

    /// The subscription giving access now (the one lasting longest, if several do).
    private func subscriptionWithAccess(_ userID: UUID, now: Date = Date()) async throws -> Subscription? {
        try await Subscription.withAccess(userID: userID, on: database.database, now: now).first
    }
}
