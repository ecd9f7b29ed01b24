import ArgumentParser
import NotifierService
import TollgateServiceKit

@main
struct NotifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-notifier", abstract: "Tollgate's email delivery.")

    func run() async throws {
        let config: NotifierConfig
        do { config = try NotifierConfig.from(ServiceRuntime.environment()) } catch {
            StartupFailure.exit("tollgate-notifier", error)
        }
        let logger = ServiceRuntime.makeLogger("tollgate-notifier", level: config.common.logLevel)
        do {
            let connection = try await ServiceRuntime.connect(config: config.common, name: "tollgate-notifier", logger: logger)
            let service = try await NotifierService.start(config: config, connection: connection, logger: logger)
            try await ServiceRuntime.run(service.services, logger: logger)
            await connection.drain()
        } catch {
            StartupFailure.exit("tollgate-notifier", error)
        }
    }
}
