import ArgumentParser
import Foundation
import NotifierService
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

@main
struct NotifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-notifier", abstract: "Tollgate's email delivery.",
        subcommands: [Serve.self, DeadLettersCommand.self, SendTest.self], defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver the emails on the EMAIL stream (the default).")

        func run() async throws {
            let config: NotifierConfig
            do { config = try NotifierConfig.from(ServiceRuntime.environment()) } catch {
                StartupFailure.exit("tollgate-notifier", error)
            }
            let logger = ServiceRuntime.makeLogger("tollgate-notifier", level: config.common.logLevel)
            do {
                let connection = try await ServiceRuntime.connect(
                    config: config.common, identity: .notifier, name: "tollgate-notifier", logger: logger)
                let service = try await NotifierService.start(config: config, connection: connection, logger: logger)
                try await ServiceRuntime.run(service.services, logger: logger)
                await connection.drain()
                await service.database.shutdown()
            } catch {
                StartupFailure.exit("tollgate-notifier", error)
            }
        }
    }

    struct DeadLettersCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "Emails the Notifier gave up on.",
            subcommands: [List.self, Retry.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show every dead letter, oldest first.")

            func run() async throws {
                await NotifierCommand.withBus("dead-letters list") { connection, subjects, _ in
                    let all = try await DeadLetters(jetStream: try connection.jetStream(), subjects: subjects).list()
                    for (_, letter) in all {
                        print(
                            "\(letter.messageID)\t\(ISO8601DateFormatter().string(from: letter.failedAt))\t"
                                + "\(letter.template?.rawValue ?? "unreadable")\t\(letter.to ?? "-")\t"
                                + "attempts=\(letter.attempts)\t\(letter.reason)")
                    }
                    print("\(all.count) dead letter(s)")
                }
            }
        }

        struct Retry: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Have the running Notifier send a dead letter again (by its message id).")

            @Argument(help: "The message id, as `list` shows it.") var id: String

            func run() async throws {
                await NotifierCommand.withBus("dead-letters retry") { connection, subjects, _ in
                    let reply: NatsMessage
                    do {
                        reply = try await connection.request(
                            subjects.notifierDeadLetterRetry, payload: try JSONCoding.encoder.encode(DeadLetterRetry(messageID: id)),
                            timeout: .seconds(60))
                    } catch {
                        FileHandle.standardError.write(Data("no Notifier answered (is it running?): \(error)\n".utf8))
                        Foundation.exit(1)
                    }
                    let status = ReplyEnvelope(natsHeaders: reply.headers)?.status ?? 0
                    guard status == 200 else {
                        let detail = (try? JSONDecoder().decode(ErrorBody.self, from: reply.payload))?.detail ?? "status \(status)"
                        FileHandle.standardError.write(Data("\(detail)\n".utf8))
                        Foundation.exit(1)
                    }
                    print("sent \(id) again")
                }
            }
        }
    }

    /// For the operator subcommands: configuration and a NATS connection as the Notifier's operator
    /// identity, or exit 78.
    static func withBus(_ subcommand: String, _ body: (NatsConnection, Subjects, NotifierConfig) async throws -> Void) async {
        do {
            let config = try NotifierConfig.from(ServiceRuntime.environment())
            let logger = ServiceRuntime.makeLogger("tollgate-notifier", level: config.common.logLevel)
            let connection = try await ServiceRuntime.connect(
                config: config.common, identity: .notifierCLI, name: "tollgate-notifier \(subcommand)", logger: logger)
            try await body(connection, Subjects(prefix: config.common.prefix), config)
            await connection.drain()
        } catch {
            StartupFailure.exit("tollgate-notifier \(subcommand)", error)
        }
    }

    struct SendTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-test",
            abstract: "Queue test emails on the EMAIL stream (check the mail set-up; `make bench` uses it).")

        @Option(help: "Recipient.") var to: String
        @Option(help: "How many.") var count: Int = 1

        func run() async throws {
            await NotifierCommand.withBus("send-test") { connection, subjects, config in
                let sealer = try config.common.emailSealer()
                let jetStream = try connection.jetStream()
                let run = UUID().uuidString.prefix(8).lowercased()
                let subject = subjects.email(.testEmail)
                for number in 1...max(count, 1) {
                    _ = try await jetStream.publish(
                        subject, payload: try sealer.seal(EmailCommand.testEmail(to: to, number: number), subject: subject),
                        messageID: "test-\(run)-\(number)")
                }
                print("queued \(max(count, 1)) test email(s) to \(to)")
            }
        }
    }
}
