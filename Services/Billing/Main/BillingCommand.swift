import ArgumentParser
import BillingService
import TollgatePersistence
import TollgateServiceKit

@main
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-billing", abstract: "Tollgate's plans, subscriptions and payments.",
        subcommands: [Serve.self, Migrate.self], defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve Billing's subjects (the default).")

        func run() async throws {
            let config: BillingConfig
            do { config = try BillingConfig.from(ServiceRuntime.environment()) } catch {
                StartupFailure.exit("tollgate-billing", error)
            }
            let logger = ServiceRuntime.makeLogger("tollgate-billing", level: config.common.logLevel)
            do {
                let connection = try await ServiceRuntime.connect(
                    config: config.common, identity: .billing, name: "tollgate-billing", logger: logger)
                let service = try await BillingService.start(config: config, connection: connection, logger: logger)
                try await ServiceRuntime.run(service.services, logger: logger)
                await connection.drain()
                await service.database.shutdown()
            } catch {
                StartupFailure.exit("tollgate-billing", error)
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply Billing's database migrations and exit.")

        func run() async throws {
            do {
                let config = try BillingConfig.from(ServiceRuntime.environment())
                let logger = ServiceRuntime.makeLogger("tollgate-billing", level: config.common.logLevel)
                let database = try await ServiceDatabase.open(
                    url: config.databaseURL, migrations: BillingMigrations.all, logger: logger)
                await database.shutdown()
            } catch {
                StartupFailure.exit("tollgate-billing", error)
            }
        }
    }
}
