import FluentKit
import Foundation
import Logging
import SQLKit
import TollgateContracts
import TollgatePersistence

/// Applies one verified Stripe event, exactly once and whatever the order: every object is re-read
/// from Stripe (the event's snapshot may be old), effects are idempotent (subscriptions by Stripe id,
/// payments by invoice id, emails by state change), and the event id is recorded last, with the
/// effects that belong to the event itself.
struct StripeEventApplier: Sendable {
    let database: ServiceDatabase
    let stripe: StripeCalls
    let sync: SubscriptionSync
    let emails: BillingEmails
    let logger: Logger

    enum Outcome: Equatable, Sendable {
        case applied, duplicate, ignored
    }

    static let handledTypes: Set<String> = [
        "checkout.session.completed", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    ]

    func apply(_ event: StripeEvent) async throws -> Outcome {
        guard Self.handledTypes.contains(event.type) else { return .ignored }
        if try await wasProcessed(event.id) { return .duplicate }
        let failedInvoice: (SubscriptionSync.Applied, StripeInvoice)?
        switch event.type {
        case "checkout.session.completed":
            try await checkoutCompleted(sessionID: event.data.object.id)
            failedInvoice = nil
        case "invoice.paid", "invoice.payment_succeeded":
            try await invoicePaid(invoiceID: event.data.object.id)
            failedInvoice = nil
        case "invoice.payment_failed":
            failedInvoice = try await invoiceFailed(invoiceID: event.data.object.id)
        default:
            try await syncSubscription(event.data.object.id)
            failedInvoice = nil
        }
        let recorded = try await database.database.transaction { db -> Bool in
            guard let sql = db as? any SQLDatabase else { return false }
            let inserted = try await sql.raw("""
                INSERT INTO \(ident: ProcessedStripeEvents.schema) (event_id, type, processed_at)
                VALUES (\(bind: event.id), \(bind: event.type), \(bind: Date()))
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """).all()
            guard !inserted.isEmpty else { return false }
            // One "payment failed" email per failed attempt, that is per event.
            if let (applied, invoice) = failedInvoice {
                try await emails.enqueue(
                    .paymentFailed, to: applied.account, plan: applied.plan, amountCents: invoice.amountDue,
                    periodEnd: applied.subscription.currentPeriodEnd, on: db)
            }
            return true
        }
        return recorded ? .applied : .duplicate
    }

    func wasProcessed(_ eventID: String) async throws -> Bool {
        try await database.sql.select().column("event_id").from(ProcessedStripeEvents.schema)
            .where("event_id", .equal, eventID).first() != nil
    }

    @discardableResult
    private func syncSubscription(_ id: String) async throws -> SubscriptionSync.Applied? {
        let readAt = Date()
        return try await sync.apply(try await stripe.subscription(id), readAt: readAt)
    }

    /// The subscription a completed Checkout made; for an upgrade, the old one is then canceled.
    private func checkoutCompleted(sessionID: String) async throws {
        let session = try await stripe.checkoutSession(sessionID)
        guard session.status == "complete", let subscriptionID = session.subscription?.id else { return }
        guard let applied = try await syncSubscription(subscriptionID) else { return }
        let upgradeFrom = session.metadata?["upgrade_from_subscription_id"] ?? applied.remote.metadata?["upgrade_from_subscription_id"]
        guard let oldID = upgradeFrom.flatMap(UUID.init(uuidString:)),
            let old = try await Subscription.find(oldID, on: database.database),
            old.userID == applied.subscription.userID, old.status != Subscription.Status.canceled.rawValue,
            let oldStripeID = old.providerSubscriptionID, oldStripeID != subscriptionID
        else { return }
        let readAt = Date()
        let canceled: StripeSubscription
        do {
            canceled = try await stripe.cancelNow(oldStripeID)
        } catch let error as StripeError where error.status == 400 || error.status == 404 {
            // Already canceled at Stripe (an earlier attempt got this far): read what it is now.
            canceled = try await stripe.subscription(oldStripeID)
        }
        try await sync.apply(canceled, readAt: readAt)
    }

    /// Brings the subscription up to date, records the payment once per invoice and sends the email
    /// its kind calls for (first invoice "started" — "updated" after an upgrade —, renewal "renewed").
    private func invoicePaid(invoiceID: String) async throws {
        let invoice = try await stripe.invoice(invoiceID)
        guard invoice.status == "paid", let subscriptionID = invoice.subscriptionID,
            let applied = try await syncSubscription(subscriptionID)
        else { return }
        try await database.database.transaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            let becamePaid = try await recordPayment(invoice, applied, status: .succeeded, amount: invoice.amountPaid, on: sql)
            guard becamePaid else { return }
            let template: EmailTemplate?
            switch invoice.billingReason {
            case "subscription_create":
                template = applied.remote.metadata?["upgrade_from_subscription_id"] == nil ? .subscriptionStarted : .subscriptionUpdated
            case "subscription_cycle": template = .subscriptionRenewed
            default: template = nil
            }
            if let template {
                try await emails.enqueue(
                    template, to: applied.account, plan: applied.plan, amountCents: invoice.amountPaid,
                    periodEnd: applied.subscription.currentPeriodEnd, on: db)
            }
        }
    }

    /// A failed attempt: the subscription (now past due at Stripe) is brought up to date and the
    /// invoice recorded as failed; the email goes with the event's record. An invoice that has been
    /// paid since is left alone.
    private func invoiceFailed(invoiceID: String) async throws -> (SubscriptionSync.Applied, StripeInvoice)? {
        let invoice = try await stripe.invoice(invoiceID)
        guard invoice.status != "paid", let subscriptionID = invoice.subscriptionID,
            let applied = try await syncSubscription(subscriptionID)
        else { return nil }
        _ = try await recordPayment(invoice, applied, status: .failed, amount: invoice.amountDue, on: database.sql)
        return (applied, invoice)
    }

    /// Inserts the invoice's payment, or moves a failed one to succeeded. True when it became
    /// `status` just now (so its email is due).
    private func recordPayment(
        _ invoice: StripeInvoice, _ applied: SubscriptionSync.Applied, status: Payment.Status, amount: Int,
        on sql: any SQLDatabase
    ) async throws -> Bool {
        let created = invoice.created.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()
        let inserted = try await sql.raw("""
            INSERT INTO \(ident: Payment.schema) (id, subscription_id, user_id, provider, provider_invoice_id,
                amount_cents, currency, status, created_at)
            VALUES (\(bind: UUID()), \(bind: applied.subscription.id ?? UUID()), \(bind: applied.subscription.userID),
                'stripe', \(bind: invoice.id), \(bind: amount), \(bind: invoice.currency.uppercased()),
                \(bind: status.rawValue), \(bind: created))
            ON CONFLICT (provider_invoice_id) DO NOTHING
            RETURNING id
            """).all()
        if !inserted.isEmpty { return true }
        guard status == .succeeded else { return false }
        let upgraded = try await sql.update(Payment.schema)
            .set("status", to: Payment.Status.succeeded.rawValue)
            .set("amount_cents", to: amount)
            .where("provider_invoice_id", .equal, invoice.id)
            .where("status", .notEqual, Payment.Status.succeeded.rawValue)
            .returning("id")
            .all()
        return !upgraded.isEmpty
    }
}
