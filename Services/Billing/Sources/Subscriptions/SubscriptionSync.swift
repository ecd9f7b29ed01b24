import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence

/// Applies a Stripe subscription, as just read from Stripe, to the local row — the one place where
/// subscription state changes. Order-tolerant: a read older than the one already applied is
/// ignored, and `canceled` is final. Emails follow from what changed (cancellation scheduled,
/// canceled, plan changed), so however many events report a change it is announced once.
struct SubscriptionSync: Sendable {
    let database: ServiceDatabase
    let accounts: AccountDirectory
    let emails: BillingEmails
    let entitlements: EntitlementPublisher

    /// What an applied subscription is, for callers that do more with it (payments, upgrades).
    struct Applied: Sendable {
        let subscription: Subscription
        let plan: Plan
        let account: AccountSummary
        let remote: StripeSubscription
    }

    /// `readAt` is when the Stripe read began. Nil when the subscription is not one of Billing's
    /// (no user in its metadata, no known plan) or its user is gone.
    @discardableResult
    func apply(_ remote: StripeSubscription, readAt: Date, now: Date = Date()) async throws -> Applied? {
        let existing = try await Subscription.query(on: database.database)
            .filter(\.$providerSubscriptionID == remote.id).first()
        guard let userID = existing?.userID ?? remote.metadata?["user_id"].flatMap(UUID.init(uuidString:)),
            let plan = try await plan(of: remote, existing: existing),
            let account = try await accounts.account(userID)
        else { return nil }
        let status = Self.status(remote.status)
        let periodEnd: Date? =
            status == .canceled
            ? Date(timeIntervalSince1970: TimeInterval(remote.endedAt ?? Int64(now.timeIntervalSince1970)))
            : remote.currentPeriodEnd.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        let canceledAt = remote.canceledAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        let started = Date(timeIntervalSince1970: TimeInterval(remote.startDate ?? Int64(now.timeIntervalSince1970)))

        let subscription = try await database.database.transaction { db -> Subscription? in
            guard let sql = db as? any SQLDatabase else { return nil }
            let inserted = try await sql.raw("""
                INSERT INTO \(ident: Subscription.schema) (id, user_id, plan_id, status, provider, provider_subscription_id,
                    provider_item_id, started_at, current_period_end, cancel_at_period_end, canceled_at, synced_at, created_at)
                VALUES (\(bind: UUID()), \(bind: userID), \(bind: plan.id ?? UUID()), \(bind: status.rawValue), 'stripe',
                    \(bind: remote.id), \(bind: remote.items.data.first?.id), \(bind: started), \(bind: periodEnd),
                    \(bind: remote.cancelAtPeriodEnd), \(bind: canceledAt), \(bind: readAt), \(bind: now))
                ON CONFLICT (provider_subscription_id) DO NOTHING
                RETURNING id
                """).all()
            guard let row = try await Subscription.query(on: db).filter(\.$providerSubscriptionID == remote.id).first()
            else { return nil }
            if !inserted.isEmpty {
                // A new row: announce what it already is, as if it had started plainly.
                try await announce(
                    row, plan: plan, account: account, wasCanceled: false, cancelWasScheduled: false, planChanged: false,
                    on: db)
                return row
            }
            guard row.status != Subscription.Status.canceled.rawValue, row.syncedAt < readAt else { return row }
            let before = (status: row.status, cancel: row.cancelAtPeriodEnd, plan: row.planID)
            let updated = try await sql.update(Subscription.schema)
                .set("status", to: status.rawValue)
                .set("plan_id", to: plan.id ?? row.planID)
                .set("provider_item_id", to: remote.items.data.first?.id)
                .set("current_period_end", to: periodEnd)
                .set("cancel_at_period_end", to: remote.cancelAtPeriodEnd)
                .set("canceled_at", to: canceledAt)
                .set("synced_at", to: readAt)
                .where("id", .equal, row.id)
                .where("synced_at", .lessThan, readAt)
                .where("status", .notEqual, Subscription.Status.canceled.rawValue)
                .returning("id")
                .all()
            guard !updated.isEmpty,
                let fresh = try await Subscription.query(on: db).filter(\.$providerSubscriptionID == remote.id).first()
            else { return row }
            try await announce(
                fresh, plan: plan, account: account, wasCanceled: before.status == Subscription.Status.canceled.rawValue,
                cancelWasScheduled: before.cancel, planChanged: before.plan != plan.id, on: db)
            return fresh
        }
        guard let subscription else { return nil }
        try await entitlements.publish(userID: userID, now: now)
        return Applied(subscription: subscription, plan: plan, account: account, remote: remote)
    }

    /// Ends a subscription whose period has passed without asking Stripe (the expiry sweep: it was
    /// set to cancel then, or Stripe does not keep it). True when this call ended it.
    func endLocally(_ subscription: Subscription, now: Date = Date()) async throws -> Bool {
        guard let id = subscription.id, let account = try await accounts.account(subscription.userID),
            let plan = try await Plan.find(subscription.planID, on: database.database)
        else { return false }
        let ended = try await database.database.transaction { db -> Bool in
            guard let sql = db as? any SQLDatabase else { return false }
            let updated = try await sql.update(Subscription.schema)
                .set("status", to: Subscription.Status.canceled.rawValue)
                .set("synced_at", to: now)
                .where("id", .equal, id)
                .where("status", .notEqual, Subscription.Status.canceled.rawValue)
                .returning("id")
                .all()
            guard !updated.isEmpty, let fresh = try await Subscription.find(id, on: db) else { return false }
            try await announce(
                fresh, plan: plan, account: account, wasCanceled: false, cancelWasScheduled: fresh.cancelAtPeriodEnd,
                planChanged: false, on: db)
            return true
        }
        try await entitlements.publish(userID: subscription.userID, now: now)
        return ended
    }

    /// The emails a change of state calls for.
    private func announce(
        _ row: Subscription, plan: Plan, account: AccountSummary, wasCanceled: Bool, cancelWasScheduled: Bool,
        planChanged: Bool, on db: any Database
    ) async throws {
        let canceled = row.status == Subscription.Status.canceled.rawValue
        if canceled && !wasCanceled {
            // An upgrade's old subscription ends because a new one replaced it: no "canceled" email.
            let replaced = try await Subscription.withAccess(userID: row.userID, on: db).contains { $0.id != row.id }
            if !replaced {
                try await emails.enqueue(
                    .subscriptionCanceled, to: account, plan: plan, amountCents: nil, periodEnd: row.currentPeriodEnd, on: db)
            }
        } else if !canceled && row.cancelAtPeriodEnd && !cancelWasScheduled {
            try await emails.enqueue(
                .subscriptionCancellationScheduled, to: account, plan: plan, amountCents: nil,
                periodEnd: row.currentPeriodEnd, on: db)
        } else if !canceled && planChanged {
            try await emails.enqueue(
                .subscriptionUpdated, to: account, plan: plan, amountCents: nil, periodEnd: row.currentPeriodEnd, on: db)
        }
    }

    /// The plan a Stripe subscription is on: its price says so (Billing's prices name their plan),
    /// then the subscription's metadata, then what was stored.
    private func plan(of remote: StripeSubscription, existing: Subscription?) async throws -> Plan? {
        let price = remote.items.data.first?.price
        if let id = price?.metadata?["plan_id"].flatMap(UUID.init(uuidString:)),
            let plan = try await Plan.find(id, on: database.database)
        {
            return plan
        }
        if let priceID = price?.id,
            let plan = try await Plan.query(on: database.database).filter(\.$stripePriceID == priceID).first()
        {
            return plan
        }
        if let id = remote.metadata?["plan_id"].flatMap(UUID.init(uuidString:)),
            let plan = try await Plan.find(id, on: database.database)
        {
            return plan
        }
        guard let existing else { return nil }
        return try await Plan.find(existing.planID, on: database.database)
    }

    /// Stripe's statuses in the contract's terms (shared/STRIPE.md §9); an unknown one gives no access.
    static func status(_ stripe: String) -> Subscription.Status {
        switch stripe {
        case "active": .active
        case "trialing": .trialing
        case "past_due", "unpaid", "paused": .pastDue
        case "canceled", "incomplete_expired": .canceled
        default: .pending
        }
    }
}
