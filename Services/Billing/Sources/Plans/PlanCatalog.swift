import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// Keeps each plan's Stripe Product and Price in step with the plan (shared/CONTRACT.md, "What the
/// Stripe side does"). Stripe is called before the local row is saved, so a Stripe failure leaves
/// the plan as it was; the idempotency keys make a retried save reuse what Stripe already made.
struct PlanCatalog: Sendable {
    let database: ServiceDatabase
    /// Nil when Stripe is not configured: plans then live only here.
    let stripe: StripeCalls?

    /// Gives a new plan its Product and Price. If Stripe refuses the price, the product made for it
    /// is archived, so a refused plan leaves nothing behind at Stripe.
    func prepare(_ plan: Plan) async throws {
        guard let stripe, let id = plan.id else { return }
        try await StripeError.answeringClient("Stripe refused the change") {
            let product = try await stripe.createProduct(planID: id, name: plan.name)
            do {
                let price = try await stripe.createPrice(
                    planID: id, productID: product, previousPriceID: nil, amount: plan.priceCents, currency: plan.currency,
                    period: plan.billingPeriod)
                try await stripe.setDefaultPrice(productID: product, priceID: price)
                plan.stripeProductID = product
                plan.stripePriceID = price
            } catch {
                try? await stripe.updateProduct(product, name: plan.name, active: false)
                throw error
            }
        }
    }

    /// Brings Stripe in line with `plan`'s edited fields (not yet saved). A new amount, currency or
    /// period is a new Price, made the product's default before the old one is archived.
    func update(_ plan: Plan, priceChanged: Bool, productChanged: Bool) async throws {
        guard let stripe, let id = plan.id, let product = plan.stripeProductID else { return }
        try await StripeError.answeringClient("Stripe refused the change") {
            if priceChanged {
                let old = plan.stripePriceID
                let price = try await stripe.createPrice(
                    planID: id, productID: product, previousPriceID: old, amount: plan.priceCents,
                    currency: plan.currency, period: plan.billingPeriod)
                try await stripe.setDefaultPrice(productID: product, priceID: price)
                if let old, old != price { try await stripe.archivePrice(old) }
                plan.stripePriceID = price
            }
            if productChanged { try await stripe.updateProduct(product, name: plan.name, active: plan.isActive) }
        }
    }

    /// The plan's Stripe Price, made now for plans that have none yet (the seed plans, or plans made
    /// while Stripe was not configured).
    func priceID(for plan: Plan) async throws -> String {
        if let price = plan.stripePriceID { return price }
        guard stripe != nil else { throw HTTPFailure(503, "Payments are not configured") }
        if plan.stripeProductID == nil {
            try await prepare(plan)
        } else {
            try await update(plan, priceChanged: true, productChanged: false)
        }
        try await plan.save(on: database.database)
        guard let price = plan.stripePriceID else { throw HTTPFailure(502, "Stripe did not create a price") }
        return price
    }
}
