import ArgumentParser
import GatewayService
import Hummingbird
import TollgateServiceKit

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-gateway", abstract: "Tollgate's HTTP gateway: routes, tokens, rate limits.")

    func run() async throws {
        let config: GatewayConfig
        let routes: RoutesFile
        do {
            config = try GatewayConfig.from(ServiceRuntime.environment())
            routes = try RoutesFile.load(path: config.routesFile)
        } catch {
            StartupFailure.exit("tollgate-gateway", error)
        }
        let logger = ServiceRuntime.makeLogger("tollgate-gateway", level: config.common.logLevel)
        do {
            let connection = try await ServiceRuntime.connect(
                config: config.common, identity: .gateway, name: "tollgate-gateway", logger: logger)
            let app = try GatewayService.makeApplication(
                config: config, routesFile: routes, connection: connection, logger: logger,
                onServerRunning: { port in logger.info("gateway listening", metadata: ["port": "\(port)"]) })
            try await app.runService()
            await connection.drain()
        } catch {
            StartupFailure.exit("tollgate-gateway", error)
        }
    }
}
