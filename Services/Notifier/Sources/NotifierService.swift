import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit

/// The Notifier executable's parts, wired together.
public struct NotifierService: Sendable {
    public let router: ServiceRouter
    public let consumer: EmailConsumer
    public let database: ServiceDatabase

    public var services: [any Service] { [consumer, router] }

    public static func start(
        config: NotifierConfig, connection: NatsConnection, logger: Logger, faults: DeliveryFaults = DeliveryFaults()
    ) async throws -> NotifierService {
        let subjects = Subjects(prefix: config.common.prefix)
        let opener = try config.common.emailOpener()
        return try await ServiceDatabase.open(
            url: config.databaseURL, migrations: NotifierMigrations.all, logger: logger
        ) { database in
            let jetStream = try connection.jetStream()
            try await StreamSetup.createStreams(
                StreamSetup.owned(by: .notifier, subjects, config.common.replication), on: jetStream)
            let pull = try await jetStream.pullConsumer(
                PullConsumerSettings(
                    stream: subjects.emailStream, durableName: subjects.notifierConsumer, filterSubject: subjects.emailSubjects,
                    // Beyond our own limit, so that the stream never silently stops redelivering a message
                    // that a crash kept from being acknowledged or put in the dead letters.
                    maxDeliver: config.maxAttempts + 5, ackWait: config.ackWait, maxInFlight: config.maxInFlight))
            let delivery = EmailDelivery(
                renderer: try EmailRenderer(branding: config.branding, overridesDirectory: config.templatesDirectory),
                transport: try config.mail.makeTransport(logger: logger), deliveries: DeliveryLog(database: database), from: config.from,
                replyTo: config.replyTo)
            let deadLetters = DeadLetters(jetStream: jetStream, subjects: subjects)
            let consumer = EmailConsumer(
                consumer: pull, opener: opener, delivery: delivery, deadLetters: deadLetters,
                jetStream: jetStream, subjects: subjects, maxAttempts: config.maxAttempts, retryBase: config.retryBase,
                faults: faults, logger: logger)
            let router = ServiceRouter(connection: connection, service: .notifier, subjects: subjects, logger: logger)
            router.on(
                subjects.notifierDeadLetterRetry, DeadLetterRetryHandler(deadLetters: deadLetters, delivery: delivery).handle)
            return NotifierService(router: router, consumer: consumer, database: database)
        }
    }
}
