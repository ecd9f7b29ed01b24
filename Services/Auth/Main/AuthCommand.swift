import ArgumentParser
import AuthService
import TollgatePersistence
import TollgateServiceKit

@main
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-auth", abstract: "Tollgate's accounts, sessions and signing keys.",
        subcommands: [Serve.self, Migrate.self], defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve Auth's subjects (the default).")

        func run() async throws {
            let config: AuthConfig
            do { config = try AuthConfig.from(ServiceRuntime.environment()) } catch {
                StartupFailure.exit("tollgate-auth", error)
            }
            let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
            do {
                let connection = try await ServiceRuntime.connect(config: config.common, name: "tollgate-auth", logger: logger)
                let service = try await AuthService.start(config: config, connection: connection, logger: logger)
                try await ServiceRuntime.run(service.services, logger: logger)
                await connection.drain()
                await service.database.shutdown()
            } catch {
                StartupFailure.exit("tollgate-auth", error)
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply Auth's database migrations and exit.")

        func run() async throws {
            do {
                let config = try AuthConfig.from(ServiceRuntime.environment())
                let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
                guard let location = DatabaseLocation(url: config.databaseURL) else { throw ValidationError("bad database URL") }
                let database = try ServiceDatabase(location: location, logger: logger)
                try await database.migrate(AuthMigrations.all)
                await database.shutdown()
            } catch {
                StartupFailure.exit("tollgate-auth", error)
            }
        }
    }
}
