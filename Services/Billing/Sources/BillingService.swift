import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit

/// Billing's schema changes, in order. Never edit one that has shipped; add a new one.
public enum BillingMigrations {
    public static let all: [any Migration] = [
        CreatePlans(), SeedPlans(), CreateOutboxMessages(), CreateBillingTables(), CreateBillingAudit(),
        IndexPendingOutboxMessages(), IndexBillingByUser(), PruneSentOutboxMessages(), CreateOpenCheckouts(),
        CreateSubscriptionSlots(), AddPlanEntitlements(),
    ]
}

/// The Billing executable's parts, wired together.
public struct BillingService: Sendable {
    public let router: ServiceRouter
    public let database: ServiceDatabase
    let relay: OutboxRelay
    let sweep: ExpirySweep
    let events: StripeEventConsumer?
    let accountChanges: BroadcastListener
    let access: AccessCheck
    let usage: QuotaUsageWatcher

    public var services: [any Service] {
        [relay, sweep, accountChanges, access.service, usage, router] + (events.map { [$0] } ?? [])
    }

    public static func start(config: BillingConfig, connection: NatsConnection, logger: Logger) async throws
        -> BillingService
    {
        let subjects = Subjects(prefix: config.common.prefix)
        return try await ServiceDatabase.open(
            url: config.databaseURL, migrations: BillingMigrations.all, logger: logger
        ) { database in
            let jetStream = try connection.jetStream()
            let replication = config.common.replication
            try await StreamSetup.createStreams(StreamSetup.owned(by: .billing, subjects, replication), on: jetStream)

            let stripe = config.stripeSecretKey.map { StripeCalls(client: StripeClient(secretKey: $0, apiBase: config.stripeAPIBase)) }
            if stripe == nil { logger.warning("STRIPE_SECRET_KEY is not set: plans stay local and checkout is refused") }
            let accounts = AccountDirectory(auth: InternalRequest(connection: connection, service: "account"), subjects: subjects)
            let emails = BillingEmails(outbox: EmailOutbox(subjects: subjects, sealer: try config.common.emailSealer()))
            // Opened here so that the bucket exists before the relay first writes to it.
            let entitlements = EntitlementOutbox(
                bucket: try await StreamSetup.openBucket(SharedBuckets.entitlements(subjects, replication), on: jetStream).name)
            let relay = OutboxRelay(database: database, jetStream: jetStream, logger: logger)
            let recentAccounts = RecentAccounts(directory: accounts)
            let sync = SubscriptionSync(
                database: database, accounts: recentAccounts, emails: emails, entitlements: entitlements, relay: relay)
            let catalog = PlanCatalog(database: database, stripe: stripe)

            let plans = PlanHandlers(database: database)
            let audit = BillingAuditLog(database: database)
            let planAdmin = PlanAdminHandlers(
                database: database, catalog: catalog, audit: audit, tiers: config.planTiers, entitlements: entitlements, relay: relay)
            let subscriptions = SubscriptionHandlers(
                database: database, accounts: accounts, catalog: catalog,
                customers: stripe.map { StripeCustomerDirectory(database: database, stripe: $0) }, stripe: stripe, sync: sync,
                audit: audit, checkouts: OpenCheckouts(database: database),
                urls: .init(success: config.checkoutSuccessURL, cancel: config.checkoutCancelURL, portalReturn: config.portalReturnURL))
            let payments = PaymentHandlers(database: database, accounts: accounts)

            let access = AccessCheck(jetStream: jetStream, config: config.common, logger: logger)
            let router = ServiceRouter(
                connection: connection, service: .billing, subjects: subjects, logger: logger, access: access,
                maxInFlight: config.common.maxRequestsInFlight,
                isUnavailable: DatabaseAvailability.isUnavailable)
            router.serve(BillingEndpoints.plansList, BillingAPI.plansList, plans.list)
            router.serve(BillingEndpoints.plansGet, BillingAPI.plansGet, plans.get)
            router.serve(BillingEndpoints.plansCreate, BillingAPI.plansCreate, planAdmin.create)
            router.serve(BillingEndpoints.plansUpdate, BillingAPI.plansUpdate, planAdmin.update)
            router.serve(BillingEndpoints.plansDelete, BillingAPI.plansDelete, planAdmin.delete)
            router.serve(BillingEndpoints.subscriptionMe, BillingAPI.subscriptionMe, subscriptions.me)
            router.serve(BillingEndpoints.subscribe, BillingAPI.subscribe, subscriptions.subscribe)
            router.serve(BillingEndpoints.upgrade, BillingAPI.upgrade, subscriptions.upgrade)
            router.serve(BillingEndpoints.cancel, BillingAPI.cancel, subscriptions.cancel)
            router.serve(BillingEndpoints.resume, BillingAPI.resume, subscriptions.resume)
            router.serve(BillingEndpoints.changePlan, BillingAPI.changePlan, subscriptions.changePlan)
            router.serve(BillingEndpoints.portal, BillingAPI.portal, subscriptions.portal)
            router.serve(BillingEndpoints.paymentsMe, BillingAPI.paymentsMe, payments.mine)
            let usage = QuotaUsageState()
            router.serve(
                BillingEndpoints.entitlementsMe, BillingAPI.entitlementsMe, EntitlementHandlers(database: database, usage: usage).mine)
            let admin = BillingAdminHandlers(database: database, audit: audit)
            router.serve(BillingEndpoints.adminPayments, BillingAPI.adminPayments, admin.payments)
            router.serve(BillingEndpoints.adminPayment, BillingAPI.adminPayment, admin.payment)
            router.serve(BillingEndpoints.adminSubscriptions, BillingAPI.adminSubscriptions, admin.subscriptions)
            router.serve(BillingEndpoints.adminSubscription, BillingAPI.adminSubscription, admin.subscription)
            router.serve(BillingEndpoints.adminUserPayments, BillingAPI.adminUserPayments, admin.userPayments)
            router.serve(BillingEndpoints.adminUserSubscriptions, BillingAPI.adminUserSubscriptions, admin.userSubscriptions)
            router.on(subjects.billingStats, admin.stats)
            router.on(subjects.billingUserCounts, admin.userCounts)
            router.on(subjects.billingAudit, admin.auditEntries)

            var events: StripeEventConsumer?
            if let stripe {
                let consumer = try await jetStream.pullConsumer(
                    PullConsumerSettings(
                        stream: subjects.stripeStream, durableName: subjects.billingStripeConsumer,
                        filterSubject: subjects.stripeSubjects, maxDeliver: StripeEventConsumer.maxDeliveries,
                        ackWait: config.eventsAckWait, maxInFlight: config.eventsInFlight))
                events = StripeEventConsumer(
                    consumer: consumer,
                    applier: StripeEventApplier(
                        database: database, stripe: stripe, sync: sync, emails: emails, relay: relay,
                        writes: GroupCommit(database: database),
                        duplicates: DuplicateResolver(
                            database: database, slots: SubscriptionSlots(database: database), stripe: stripe, sync: sync,
                            emails: emails, relay: relay),
                        checkouts: OpenCheckouts(database: database), logger: logger),
                    logger: logger)
            }
            let sweep = ExpirySweep(
                database: database,
                lease: Lease(
                    database: database, name: "expiry-sweep", holder: UUID().lowercased,
                    duration: TimeInterval(config.sweepInterval.components.seconds) + 60),
                stripe: stripe, sync: sync, interval: config.sweepInterval, logger: logger)
            return BillingService(
                router: router, database: database, relay: relay, sweep: sweep, events: events,
                accountChanges: recentAccounts.changeListener(connection: connection, subjects: subjects), access: access,
                usage: QuotaUsageWatcher(jetStream: jetStream, subjects: subjects, state: usage, logger: logger))
        }
    }
}
