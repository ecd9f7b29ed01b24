import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence

/// Never two subscriptions with access for one user. When a subscription that gives access is
/// about to be applied and the user's slot (`SubscriptionSlots`) holds another live one, the one
/// created later is canceled at Stripe at once, what it charged is refunded, and the user is told
/// why. Which one goes depends only on the two subscriptions (creation time, then id), never on
/// the order their events arrive in, so every Billing instance decides the same.
struct DuplicateResolver: Sendable {
    let database: ServiceDatabase
    let slots: SubscriptionSlots
    let stripe: StripeCalls
    let sync: SubscriptionSync
    let emails: BillingEmails
    let relay: OutboxRelay

    enum Verdict: Sendable {
        /// The subscription keeps (or took) the user's slot.
        case keep
        /// It was a duplicate and is now canceled: apply this instead.
        case canceledItself(StripeSubscription)
        /// It keeps the slot; the one that held it was the duplicate and is now canceled: apply it too.
        case canceledHolder(StripeSubscription, SubscriptionSync.Owner)
    }

    static func givesAccess(_ remote: StripeSubscription, now: Date) -> Bool {
        let status = SubscriptionSync.status(remote.status)
        return status != .canceled && status != .pending
            && (remote.currentPeriodEnd.map { TimeInterval($0) > now.timeIntervalSince1970 } ?? false)
    }

    func resolve(_ remote: StripeSubscription, owner: SubscriptionSync.Owner, now: Date = Date()) async throws -> Verdict {
        guard Self.givesAccess(remote, now: now), !owner.holdsSlot else { return .keep }
        let user = owner.account.id
        let replaces = try await upgradedFrom(remote)
        for _ in 0..<3 {
            let holder = try await slots.claim(user: user, subscriptionID: remote.id, now: now)
            if holder == remote.id { return .keep }
            // An upgrade takes over from the subscription it replaces (which Checkout's completion cancels).
            if holder == replaces {
                if try await slots.handOver(user: user, from: holder, to: remote.id, now: now) { return .keep }
                continue
            }
            let held: StripeSubscription
            do {
                held = try await stripe.subscription(holder)
            } catch let error as StripeError where error.status == 404 {
                // Stripe does not know it (deleted, or another account's): it holds nothing.
                if try await slots.handOver(user: user, from: holder, to: remote.id, now: now) { return .keep }
                continue
            }
            guard Self.givesAccess(held, now: now) else {
                if try await slots.handOver(user: user, from: holder, to: remote.id, now: now) { return .keep }
                continue
            }
            if Self.isLater(remote, than: held) {
                return .canceledItself(try await cancel(remote, owner: owner, kept: held.id, now: now))
            }
            guard let heldOwner = try await sync.owner(of: held) else {
                return .canceledItself(try await cancel(remote, owner: owner, kept: held.id, now: now))
            }
            let canceled = try await cancel(held, owner: heldOwner, kept: remote.id, now: now)
            _ = try await slots.handOver(user: user, from: holder, to: remote.id, now: now)
            return .canceledHolder(canceled, heldOwner)
        }
        throw DuplicateUnresolved(subscription: remote.id)
    }

    /// The later of two subscriptions: created later, or (the same second) the larger id.
    static func isLater(_ one: StripeSubscription, than other: StripeSubscription) -> Bool {
        let mine = one.created ?? one.startDate ?? 0
        let theirs = other.created ?? other.startDate ?? 0
        return mine != theirs ? mine > theirs : one.id > other.id
    }

    /// The Stripe id of the subscription this one upgrades (from Checkout's metadata), if any.
    private func upgradedFrom(_ remote: StripeSubscription) async throws -> String? {
        guard let local = remote.metadata?["upgrade_from_subscription_id"].flatMap(UUID.init(uuidString:)) else { return nil }
        return try await SubscriptionRecord.find(id: local, on: database.sql)?.providerSubscriptionID
    }

    /// Records the duplicate and queues its email (once, whatever retries follow), then has Stripe
    /// refund what it charged and cancel it. Returns it as Stripe now has it.
    private func cancel(_ duplicate: StripeSubscription, owner: SubscriptionSync.Owner, kept: String, now: Date) async throws
        -> StripeSubscription
    {
        var invoice: StripeInvoice?
        if let latest = duplicate.latestInvoice { invoice = try await stripe.invoiceWithPayments(latest.id) }
        let refundable = invoice.map { $0.status == "paid" ? $0.amountPaid : 0 } ?? 0
        try await database.database.transaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            let recorded = try await sql.raw("""
                INSERT INTO \(ident: DuplicateSubscriptions.schema)
                    (provider_subscription_id, user_id, kept_subscription_id, refunded_cents, created_at)
                VALUES (\(bind: duplicate.id), \(bind: owner.account.id), \(bind: kept), \(bind: refundable), \(bind: now))
                ON CONFLICT (provider_subscription_id) DO NOTHING
                RETURNING provider_subscription_id
                """).all()
            guard !recorded.isEmpty else { return }
            try await emails.enqueue(
                .duplicateSubscriptionCanceled, to: owner.account, plan: owner.plan, amountCents: refundable, periodEnd: nil,
                on: db)
        }
        relay.wakeUp()
        if let invoice, refundable > 0, let payment = invoice.payments?.data.first(where: { $0.status != "canceled" })?.payment {
            _ = try await stripe.refund(
                paymentIntent: payment.paymentIntent?.id, charge: payment.charge?.id, amount: refundable, invoiceID: invoice.id,
                reason: "duplicate")
        }
        do {
            return try await stripe.cancelNow(duplicate.id)
        } catch let error as StripeError where error.status == 400 || error.status == 404 {
            // Canceled already (an earlier attempt got this far): as it is now.
            return try await stripe.subscription(duplicate.id)
        }
    }
}

/// The user's slot kept moving while a subscription was being placed; the event is tried again.
struct DuplicateUnresolved: Error {
    let subscription: String
}
