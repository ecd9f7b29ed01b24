import ArgumentParser
import Hummingbird
import TollgateServiceKit
import WebhookService

@main
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-webhook", abstract: "Tollgate's Stripe webhook endpoint.")

    func run() async throws {
        let config: WebhookConfig
        do { config = try WebhookConfig.from(ServiceRuntime.environment()) } catch {
            StartupFailure.exit("tollgate-webhook", error)
        }
        let logger = ServiceRuntime.makeLogger("tollgate-webhook", level: config.common.logLevel)
        do {
            let connection = try await ServiceRuntime.connect(
                config: config.common, identity: .webhook, name: "tollgate-webhook", logger: logger)
            let app = try await WebhookService.makeApplication(
                config: config, connection: connection, logger: logger,
                onServerRunning: { port in logger.info("webhook listening", metadata: ["port": "\(port)"]) })
            try await app.runService()
            await connection.drain()
        } catch {
            StartupFailure.exit("tollgate-webhook", error)
        }
    }
}
