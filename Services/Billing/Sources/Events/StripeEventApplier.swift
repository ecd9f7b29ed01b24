import FluentKit
import Foundation
import Logging
import SQLKit
import TollgateContracts
import TollgatePersistence

/// Applies one verified Stripe event, exactly once and whatever the order: every object is re-read
/// from Stripe (the event's snapshot may be old) before anything is written, then all of the
/// event's effects — subscriptions, payment, emails, entitlement — and its id are written in one
/// transaction, so an event is either wholly applied or not at all (events applied at the same
/// moment share that transaction: `GroupCommit`). The id is written first, so a duplicate stops
/// there; it is not looked up beforehand, as duplicates are rare (the Webhook service already drops
/// Stripe's retries) and the look-up cost every event a statement. Effects are idempotent besides
/// (subscriptions by Stripe id, payments by invoice id, emails by state change).
struct StripeEventApplier: Sendable {
    let database: ServiceDatabase
    let stripe: StripeCalls
    let sync: SubscriptionSync
    let emails: BillingEmails
    let relay: OutboxRelay
    let writes: GroupCommit
    let duplicates: DuplicateResolver
    let checkouts: OpenCheckouts
    let logger: Logger

    enum Outcome: Equatable, Sendable {
        case applied, duplicate, ignored
    }

    static let handledTypes: Set<String> = [
        "checkout.session.completed", "checkout.session.expired", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    ]

    /// What Stripe says now about the objects an event names, read before the transaction.
    private struct Reading {
        /// Subscriptions to apply, in order (an upgrade's new one before the old one it replaces).
        var subscriptions: [(remote: StripeSubscription, owner: SubscriptionSync.Owner, readAt: Date)] = []
        /// The invoice of an invoice event, when it is still in the state the event reports.
        var invoice: StripeInvoice?
    }

    func apply(_ event: StripeEvent) async throws -> Outcome {
        guard Self.handledTypes.contains(event.type) else { return .ignored }
        let reading = try await read(event)
        let now = Date()
        let recorded = try await writes.write { db -> Bool in
            guard let sql = db as? any SQLDatabase else { return false }
            let inserted = try await sql.raw("""
                INSERT INTO \(ident: ProcessedStripeEvents.schema) (event_id, type, processed_at)
                VALUES (\(bind: event.id), \(bind: event.type), \(bind: now))
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """).all()
            guard !inserted.isEmpty else { return false }
            if event.type.hasPrefix("checkout.session.") {
                // Completed or expired: its URL is no longer the answer to a new subscribe.
                try await checkouts.close(sessionID: event.data.object.id, on: sql)
            }
            var first: SubscriptionSync.Applied?
            for (remote, owner, readAt) in reading.subscriptions {
                let applied = try await sync.apply(remote, owner: owner, readAt: readAt, now: now, on: db)
                first = first ?? applied
            }
            if let applied = first, let invoice = reading.invoice {
                if invoice.status == "paid" {
                    try await invoicePaid(invoice, applied, on: db)
                } else {
                    try await invoiceFailed(invoice, applied, on: db)
                }
            }
            return true
        }
        relay.wakeUp()
        return recorded ? .applied : .duplicate
    }

    private func read(_ event: StripeEvent) async throws -> Reading {
        var reading = Reading()
        switch event.type {
        case "checkout.session.completed":
            try await readCheckout(sessionID: event.data.object.id, into: &reading)
        case "checkout.session.expired":
            break
        case "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed":
            let readAt = Date()
            let invoice = try await stripe.invoice(event.data.object.id)
            let paid = invoice.status == "paid"
            // A failed attempt on an invoice that has been paid since is left alone.
            guard paid == (event.type != "invoice.payment_failed"), let subscriptionID = invoice.subscriptionID,
                try await readSubscription(subscriptionID, alreadyRead: invoice.subscription, at: readAt, into: &reading)
            else { return reading }
            reading.invoice = invoice
        default:
            try await readSubscription(event.data.object.id, into: &reading)
        }
        return reading
    }

    /// Adds the subscription to what is to be applied (read now, unless it came with the invoice
    /// read at `readAt`); false when it is not one of Billing's.
    @discardableResult
    private func readSubscription(
        _ id: String, alreadyRead: StripeSubscription? = nil, at readAt: Date = Date(), into reading: inout Reading
    ) async throws -> Bool {
        let remote: StripeSubscription
        if let alreadyRead, alreadyRead.id == id { remote = alreadyRead } else { remote = try await stripe.subscription(id) }
        guard let owner = try await sync.owner(of: remote) else { return false }
        switch try await duplicates.resolve(remote, owner: owner) {
        case .keep:
            reading.subscriptions.append((remote, owner, readAt))
        case .canceledItself(let canceled):
            reading.subscriptions.append((canceled, owner, Date()))
        case .canceledHolder(let canceled, let heldOwner):
            reading.subscriptions.append((remote, owner, readAt))
            reading.subscriptions.append((canceled, heldOwner, Date()))
        }
        return true
    }

    /// The subscription a completed Checkout made; for an upgrade, the old one is canceled at Stripe
    /// now (before anything is recorded, so a failure here is retried) and applied after the new one.
    private func readCheckout(sessionID: String, into reading: inout Reading) async throws {
        let session = try await stripe.checkoutSession(sessionID)
        guard session.status == "complete", let subscriptionID = session.subscription?.id,
            try await readSubscription(subscriptionID, into: &reading), let new = reading.subscriptions.first
        else { return }
        let upgradeFrom = session.metadata?["upgrade_from_subscription_id"] ?? new.remote.metadata?["upgrade_from_subscription_id"]
        guard let oldID = upgradeFrom.flatMap(UUID.init(uuidString:)),
            let old = try await SubscriptionRecord.find(id: oldID, on: database.sql),
            old.userID == new.owner.account.id, old.status != Subscription.Status.canceled.rawValue,
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
        guard let owner = try await sync.owner(of: canceled) else { return }
        reading.subscriptions.append((canceled, owner, readAt))
    }

    /// Records the payment once per invoice and sends the email its kind calls for (first invoice
    /// "started" — "updated" after an upgrade —, renewal "renewed").
    private func invoicePaid(_ invoice: StripeInvoice, _ applied: SubscriptionSync.Applied, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase,
            try await recordPayment(invoice, applied, status: .succeeded, amount: invoice.amountPaid, on: sql)
        else { return }
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

    /// A failed attempt: the invoice is recorded as failed, and one "payment failed" email goes out
    /// per attempt, that is per event.
    private func invoiceFailed(_ invoice: StripeInvoice, _ applied: SubscriptionSync.Applied, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        _ = try await recordPayment(invoice, applied, status: .failed, amount: invoice.amountDue, on: sql)
        try await emails.enqueue(
            .paymentFailed, to: applied.account, plan: applied.plan, amountCents: invoice.amountDue,
            periodEnd: applied.subscription.currentPeriodEnd, on: db)
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
