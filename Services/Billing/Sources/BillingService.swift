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
    public static let all: [any Migration] = [CreatePlans(), SeedPlans(), CreateOutboxMessages()]
}

/// The Billing executable's parts, wired together.
public struct BillingService: Sendable {
    public let router: ServiceRouter
    public let database: ServiceDatabase

    public var services: [any Service] { [router] }

    public static func start(config: BillingConfig, connection: NatsConnection, logger: Logger) async throws
        -> BillingService
    {
        let subjects = Subjects(prefix: config.common.prefix)
        let database = try await ServiceDatabase.open(
            url: config.databaseURL, migrations: BillingMigrations.all, logger: logger)
        try await StreamSetup.createStreams(try connection.jetStream(), subjects: subjects)

        let plans = PlanHandlers(database: database)
        let router = ServiceRouter(connection: connection, service: .billing, subjects: subjects, logger: logger)
        router.on(subjects.billingPlansList, plans.list)
        router.on(subjects.billingPlansGet, plans.get)
        return BillingService(router: router, database: database)
    }
}
