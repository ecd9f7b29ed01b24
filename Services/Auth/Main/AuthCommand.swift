import ArgumentParser
import AuthService
import Foundation
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

@main
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-auth", abstract: "Tollgate's accounts, sessions and signing keys.",
        subcommands: [Serve.self, Migrate.self, CreateAdmin.self, RotateKey.self, ImportUsers.self, HashBenchmark.self], defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve Auth's subjects (the default).")

        func run() async throws {
            let config: AuthConfig
            do { config = try AuthConfig.from(ServiceRuntime.environment()) } catch {
                StartupFailure.exit("tollgate-auth", error)
            }
            let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
            do {
                let connection = try await ServiceRuntime.connect(
                    config: config.common, identity: .auth, name: "tollgate-auth", logger: logger)
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

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create an administrator, or promote the account with this email.",
            discussion: "The password is read from TOLLGATE_ADMIN_PASSWORD or, if unset, the first line of standard input.")

        @Option(help: "Email of the administrator.") var email: String
        @Option(help: "Username (used only when the account is new).") var username: String

        func run() async throws {
            do {
                let environment = ServiceRuntime.environment()
                let config = try AuthConfig.from(environment)
                let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
                var password = environment["TOLLGATE_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
                if password == nil { password = readLine(strippingNewline: true) }
                let database = try await ServiceDatabase.open(
                    url: config.databaseURL, migrations: AuthMigrations.all, logger: logger)
                let accounts = AdminAccounts(
                    database: database, hasher: PasswordHasher(parameters: config.argon2),
                    passwords: PasswordPolicy(productName: config.common.productName))
                let outcome: AdminAccounts.Outcome
                do {
                    outcome = try await accounts.createOrPromote(email: email, username: username, password: password)
                    await database.shutdown()
                } catch {
                    await database.shutdown()
                    throw error
                }
                print(outcome == .created ? "created administrator \(email)" : "promoted \(email) to administrator")
            } catch {
                StartupFailure.exit("tollgate-auth create-admin", error)
            }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Start signing with a new key; tokens signed with older keys stay valid until they expire.",
            discussion: """
                Writes a new key to TOLLGATE_AUTH_KEYS_DIR, publishes it to the gateways, then tells every running \
                Auth instance to sign with it. Keys retired longer than the access-token lifetime are removed.
                """)

        func run() async throws {
            do {
                let config = try AuthConfig.from(ServiceRuntime.environment())
                let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
                let result = try await SigningKeyRotation(config: config, logger: logger).run()
                print("signing with \(result.activeKid); withdrew \(result.withdrawn.count) retired key(s)")
            } catch {
                StartupFailure.exit("tollgate-auth rotate-key", error)
            }
        }
    }

    struct ImportUsers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-users",
            abstract: "Import accounts from a JSON-lines file; their Argon2id passwords keep working.",
            discussion: """
                One JSON object per line: email, username (required); id, password_hash (Argon2id PHC), provider, \
                is_active, is_verified, is_admin, created_at, first_name, last_name, avatar_url, bio (optional). \
                Nothing is written unless every line is valid; accounts already present are skipped. \
                Passwords are rehashed with Tollgate's parameters at each user's next sign-in.
                """)

        @Argument(help: "The .jsonl file.") var file: String

        func run() async throws {
            do {
                let config = try AuthConfig.from(ServiceRuntime.environment())
                let logger = ServiceRuntime.makeLogger("tollgate-auth", level: config.common.logLevel)
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                let database = try await ServiceDatabase.open(
                    url: config.databaseURL, migrations: AuthMigrations.all, logger: logger)
                let report: UserImport.Report
                do {
                    report = try await UserImport(database: database).run(jsonLines: data)
                    await database.shutdown()
                } catch {
                    await database.shutdown()
                    throw error
                }
                for line in report.skipped { print("skipped \(line)") }
                print("imported \(report.imported) user(s), skipped \(report.skipped.count) already present")
            } catch let rejected as UserImport.Rejected {
                FileHandle.standardError.write(Data((rejected.description + "\n").utf8))
                Foundation.exit(65)
            } catch {
                StartupFailure.exit("tollgate-auth import-users", error)
            }
        }
    }

    struct HashBenchmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-benchmark",
            abstract: "Measure Argon2id verifications per second with the configured parameters (make bench's baseline).")

        @Option(help: "Seconds to measure.") var seconds: Int = 10

        func run() async throws {
            do {
                let config = try AuthConfig.from(ServiceRuntime.environment())
                let rate = try await HashRateProbe(parameters: config.argon2).measure(for: .seconds(max(seconds, 1)))
                let p = config.argon2
                print(String(format: "%.1f verifications/s (m=%u KiB, t=%u, p=%u)", rate, p.memoryKiB, p.iterations, p.parallelism))
            } catch {
                StartupFailure.exit("tollgate-auth hash-benchmark", error)
            }
        }
    }
}
