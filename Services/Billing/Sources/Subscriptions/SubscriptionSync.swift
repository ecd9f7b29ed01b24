import FluentKit
import Foundation
import SQLKit
import TollgateContracts
import TollgatePersistence

/// Applies a Stripe subscription, as just read from Stripe, to the local row — the one place where
/// subscription state changes. Order-tolerant: a read older than the one already applied is
/// ignored, and `canceled` is final. Emails follow from what changed (cancellation scheduled,
/// canceled, plan changed), so however many events report a change it is announced once; the
/// user's entitlement is queued with every change. Stripe events apply thousands of these a
/// second, so it speaks plain SQL (`SubscriptionRecord`, `PlanRecord`).
struct SubscriptionSync: Sendable {
    let database: ServiceDatabase
    let accounts: RecentAccounts
    let emails: BillingEmails
    let entitlements: EntitlementOutbox
    let relay: OutboxRelay

    /// Whose a Stripe subscription is, known before the transaction that applies it (asking Auth
    /// inside it would hold the database while waiting).
    struct Owner: Sendable {
        let account: AccountSummary
        let plan: Plan
        /// Whether a local row for the subscription existed when the owner was looked up; when not,
        /// applying tries the insert first (a row made since is then found and updated instead).
        var hadRow = true
        /// Whether the subscription holds its user's one slot (`SubscriptionSlots`) already.
        var holdsSlot = false
    }

    /// What an applied subscription is, for callers that do more with it (payments, upgrades).
    struct Applied: Sendable {
        let subscription: Subscription
        let plan: Plan
        let account: AccountSummary
        let remote: StripeSubscription
    }

    /// Applies `remote` in a transaction of its own. `readAt` is when the Stripe read began. Nil
    /// when the subscription is not one of Billing's (see `owner(of:)`).
    @discardableResult
    func apply(_ remote: StripeSubscription, readAt: Date, now: Date = Date()) async throws -> Applied? {
        guard let owner = try await owner(of: remote) else { return nil }
        let applied = try await database.database.transaction { db in
            try await apply(remote, owner: owner, readAt: readAt, now: now, on: db)
        }
        relay.wakeUp()
        return applied
    }

    /// The account and plan of a Stripe subscription; nil when it has no user (in our row or its
    /// metadata), no plan Billing knows, or its user is gone.
    func owner(of remote: StripeSubscription) async throws -> Owner? {
        let price = remote.items.data.first?.price
        let pricePlan = price?.metadata?["plan_id"].flatMap(UUID.init(uuidString:))
        let metadataPlan = remote.metadata?["plan_id"].flatMap(UUID.init(uuidString:))
        // One statement: every plan the subscription could be on, and what our row says.
        let candidates = try await database.sql.raw("""
            SELECT p.*, s.user_id AS stored_user_id, s.plan_id AS stored_plan_id, sl.user_id AS slot_user_id
            FROM \(ident: Plan.schema) AS p
            LEFT JOIN \(ident: Subscription.schema) AS s ON s.provider_subscription_id = \(bind: remote.id)
            LEFT JOIN \(ident: SubscriptionSlots.schema) AS sl ON sl.provider_subscription_id = \(bind: remote.id)
            WHERE p.id = \(bind: pricePlan) OR p.stripe_price_id = \(bind: price?.id) OR p.id = \(bind: metadataPlan)
                OR p.id = s.plan_id
            """).all().map { row in
                (plan: try row.decode(model: PlanRecord.self),
                 storedUser: try row.decode(column: "stored_user_id", as: UUID?.self),
                 storedPlan: try row.decode(column: "stored_plan_id", as: UUID?.self),
                 holdsSlot: try row.decode(column: "slot_user_id", as: UUID?.self) != nil)
            }
        // The price says which plan (Billing's prices name theirs), then the subscription's metadata,
        // then what was stored.
        let plan =
            candidates.first { $0.plan.id == pricePlan }?.plan
            ?? candidates.first { price?.id != nil && $0.plan.stripePriceID == price?.id }?.plan
            ?? candidates.first { $0.plan.id == metadataPlan }?.plan
            ?? candidates.first { $0.plan.id == $0.storedPlan }?.plan
        guard let plan,
            let userID = candidates.first?.storedUser ?? remote.metadata?["user_id"].flatMap(UUID.init(uuidString:)),
            let account = try await accounts.account(userID)
        else { return nil }
        return Owner(
            account: account, plan: plan.model, hadRow: candidates.contains { $0.storedUser != nil },
            holdsSlot: candidates.contains(where: \.holdsSlot))
    }

    /// Applies `remote` inside the caller's transaction `db`.
    func apply(_ remote: StripeSubscription, owner: Owner, readAt: Date, now: Date, on db: any Database) async throws
        -> Applied?
    {
        guard let sql = db as? any SQLDatabase, let planID = owner.plan.id else { return nil }
        let status = Self.status(remote.status)
        var incoming = SubscriptionRecord(
            id: UUID(), userID: owner.account.id, planID: planID, status: status.rawValue, provider: "stripe",
            providerSubscriptionID: remote.id, providerItemID: remote.items.data.first?.id,
            startedAt: Date(timeIntervalSince1970: TimeInterval(remote.startDate ?? Int64(now.timeIntervalSince1970))),
            currentPeriodEnd: status == .canceled
                ? Date(timeIntervalSince1970: TimeInterval(remote.endedAt ?? Int64(now.timeIntervalSince1970)))
                : remote.currentPeriodEnd.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            cancelAtPeriodEnd: remote.cancelAtPeriodEnd,
            canceledAt: remote.canceledAt.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            syncedAt: readAt, createdAt: now)
        func applied(_ record: SubscriptionRecord) -> Applied {
            Applied(subscription: record.model, plan: owner.plan, account: owner.account, remote: remote)
        }

        let known = owner.hadRow ? try await SubscriptionRecord.find(providerSubscriptionID: remote.id, on: sql) : nil
        guard let stored = known else {
            let inserted = try await sql.raw("""
                INSERT INTO \(ident: Subscription.schema) (id, user_id, plan_id, status, provider, provider_subscription_id,
                    provider_item_id, started_at, current_period_end, cancel_at_period_end, canceled_at, synced_at, created_at)
                VALUES (\(bind: incoming.id), \(bind: incoming.userID), \(bind: planID), \(bind: incoming.status), 'stripe',
                    \(bind: remote.id), \(bind: incoming.providerItemID), \(bind: incoming.startedAt),
                    \(bind: incoming.currentPeriodEnd), \(bind: incoming.cancelAtPeriodEnd), \(bind: incoming.canceledAt),
                    \(bind: readAt), \(bind: now))
                ON CONFLICT (provider_subscription_id) DO NOTHING
                RETURNING id
                """).all()
            // There is a row after all (another event or instance made it): apply over it instead.
            guard !inserted.isEmpty else {
                var owner = owner
                owner.hadRow = true
                return try await apply(remote, owner: owner, readAt: readAt, now: now, on: db)
            }
            // A new row: announce what it already is, as if it had started plainly.
            try await announce(incoming, before: nil, owner: owner, now: now, on: db)
            return applied(incoming)
        }
        guard stored.status != Subscription.Status.canceled.rawValue, stored.syncedAt < readAt else {
            return applied(stored)
        }
        let updated = try await sql.raw("""
            UPDATE \(ident: Subscription.schema)
            SET status = \(bind: incoming.status), plan_id = \(bind: planID), provider_item_id = \(bind: incoming.providerItemID),
                current_period_end = \(bind: incoming.currentPeriodEnd), cancel_at_period_end = \(bind: incoming.cancelAtPeriodEnd),
                canceled_at = \(bind: incoming.canceledAt), synced_at = \(bind: readAt)
            WHERE id = \(bind: stored.id) AND synced_at < \(bind: readAt) AND status <> \(bind: Subscription.Status.canceled.rawValue)
            RETURNING id
            """).all()
        guard !updated.isEmpty else { return applied(stored) }
        incoming.id = stored.id
        incoming.startedAt = stored.startedAt
        incoming.createdAt = stored.createdAt
        try await announce(incoming, before: stored, owner: owner, now: now, on: db)
        return applied(incoming)
    }

    /// Ends a subscription whose period has passed without asking Stripe (the expiry sweep: it was
    /// set to cancel then, or Stripe does not keep it). True when this call ended it.
    func endLocally(_ subscription: Subscription, now: Date = Date()) async throws -> Bool {
        guard let id = subscription.id, let account = try await accounts.account(subscription.userID),
            let plan = try await Plan.find(subscription.planID, on: database.database)
        else { return false }
        let owner = Owner(account: account, plan: plan)
        let ended = try await database.database.transaction { db -> Bool in
            guard let sql = db as? any SQLDatabase,
                let before = try await SubscriptionRecord.find(id: id, on: sql),
                before.status != Subscription.Status.canceled.rawValue
            else { return false }
            let updated = try await sql.raw("""
                UPDATE \(ident: Subscription.schema) SET status = \(bind: Subscription.Status.canceled.rawValue), synced_at = \(bind: now)
                WHERE id = \(bind: id) AND status <> \(bind: Subscription.Status.canceled.rawValue)
                RETURNING id
                """).all()
            guard !updated.isEmpty else { return false }
            var after = before
            after.status = Subscription.Status.canceled.rawValue
            after.syncedAt = now
            try await announce(after, before: before, owner: owner, now: now, on: db)
            return true
        }
        relay.wakeUp()
        return ended
    }

    /// The emails a change calls for, and the entitlement when access may have moved.
    private func announce(
        _ row: SubscriptionRecord, before: SubscriptionRecord?, owner: Owner, now: Date, on db: any Database
    ) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let canceled = row.status == Subscription.Status.canceled.rawValue
        let wasCanceled = before?.status == Subscription.Status.canceled.rawValue
        let template: EmailTemplate?
        if canceled && !wasCanceled {
            // An upgrade's old subscription ends because a new one replaced it: no "canceled" email.
            let replaced = try await AccessGrant.current(userID: row.userID, now: now, on: sql).contains { $0.id != row.id }
            template = replaced ? nil : .subscriptionCanceled
        } else if !canceled && row.cancelAtPeriodEnd && !(before?.cancelAtPeriodEnd ?? false) {
            template = .subscriptionCancellationScheduled
        } else if !canceled, let before, before.planID != row.planID {
            template = .subscriptionUpdated
        } else {
            template = nil
        }
        if let template {
            try await emails.enqueue(
                template, to: owner.account, plan: owner.plan, amountCents: nil, periodEnd: row.currentPeriodEnd, on: db)
        }
        let accessMoved =
            before.map {
                $0.status != row.status || $0.planID != row.planID || $0.currentPeriodEnd != row.currentPeriodEnd
            } ?? true
        if accessMoved { try await entitlements.enqueue(userID: row.userID, now: now, on: db) }
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
