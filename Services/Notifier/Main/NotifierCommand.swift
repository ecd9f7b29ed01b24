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
                let connection = try await ServiceRuntime.connect(config: config.common, name: "tollgate-notifier", logger: logger)
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
                try await DeadLettersCommand.withDeadLetters { letters in
                    let all = try await letters.list()
                    for (_, letter) in all {
                        print(
                            "\(letter.messageID)\t\(ISO8601DateFormatter().string(from: letter.failedAt))\t"
                                + "\(letter.command.template.rawValue)\t\(letter.command.to)\t"
                                + "attempts=\(letter.attempts)\t\(letter.reason)")
                    }
                    print("\(all.count) dead letter(s)")
                }
            }
        }

        struct Retry: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Send a dead letter again (by its message id).")

            @Argument(help: "The message id, as `list` shows it.") var id: String

            func run() async throws {
                try await DeadLettersCommand.withDeadLetters { letters in
                    guard try await letters.retry(messageID: id) else {
                        FileHandle.standardError.write(Data("no dead letter with id \(id)\n".utf8))
                        Foundation.exit(1)
                    }
                    print("queued \(id) again")
                }
            }
        }

        static func withDeadLetters(_ body: (DeadLetters) async throws -> Void) async throws {
            await NotifierCommand.withJetStream("dead-letters") { jetStream, subjects in
                try await body(DeadLetters(jetStream: jetStream, subjects: subjects))
            }
        }
    }

    /// For the operator subcommands: configuration, a NATS connection and the streams, or exit 78.
    static func withJetStream(_ subcommand: String, _ body: (JetStream, Subjects) async throws -> Void) async {
        do {
            let config = try NotifierConfig.from(ServiceRuntime.environment())
            let logger = ServiceRuntime.makeLogger("tollgate-notifier", level: config.common.logLevel)
            let connection = try await ServiceRuntime.connect(
                config: config.common, name: "tollgate-notifier \(subcommand)", logger: logger)
            let jetStream = try connection.jetStream()
            let subjects = Subjects(prefix: config.common.prefix)
            try await StreamSetup.createStreams(jetStream, subjects: subjects)
            try await body(jetStream, subjects)
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
            await NotifierCommand.withJetStream("send-test") { jetStream, subjects in
                let run = UUID().uuidString.prefix(8).lowercased()
                for number in 1...max(count, 1) {
                    _ = try await jetStream.publish(
                        subjects.email(.testEmail),
                        payload: try JSONCoding.encoder.encode(EmailCommand.testEmail(to: to, number: number)),
                        messageID: "test-\(run)-\(number)")
                }
                print("queued \(max(count, 1)) test email(s) to \(to)")
            }
        }
    }
}
