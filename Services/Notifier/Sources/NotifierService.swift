import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// The Notifier executable's parts, wired together.
public struct NotifierService: Sendable {
    public let router: ServiceRouter
    public let consumer: EmailConsumer

    public var services: [any Service] { [consumer, router] }

    public static func start(config: NotifierConfig, connection: NatsConnection, logger: Logger) async throws
        -> NotifierService
    {
        let subjects = Subjects(prefix: config.common.prefix)
        let jetStream = try connection.jetStream()
        try await StreamSetup.createStreams(jetStream, subjects: subjects)
        let pull = try await jetStream.pullConsumer(
            PullConsumerSettings(
                stream: subjects.emailStream, durableName: subjects.notifierConsumer, filterSubject: subjects.emailSubjects,
                maxDeliver: 10, ackWait: .seconds(60), maxInFlight: config.maxInFlight))
        let consumer = EmailConsumer(
            consumer: pull,
            renderer: try EmailRenderer(productName: config.productName, overridesDirectory: config.templatesDirectory),
            transport: FileTransport(directory: config.mailDirectory),
            from: config.from, logger: logger)
        let router = ServiceRouter(connection: connection, service: .notifier, subjects: subjects, logger: logger)
        return NotifierService(router: router, consumer: consumer)
    }
}
