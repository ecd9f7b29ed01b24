import Foundation
import Logging
import NotifierService
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

@Suite("Email delivery over SMTP (aiosmtpd)")
struct EmailDeliveryTests {
    /// Publishes commands to the EMAIL stream the way their sender's outbox relay does: sealed for
    /// the Notifier, as the identity that sends that template.
    static func publish(_ system: TestSystem, _ commands: [(id: String, command: EmailCommand)]) async throws {
        let sealer = try system.config.emailSealer()
        for (id, command) in commands {
            let connection = try await system.connect(as: command.template.sender)
            let subject = system.subjects.email(command.template)
            _ = try await connection.jetStream().publish(
                subject, payload: try sealer.seal(command, subject: subject), messageID: id)
            await connection.drain()
        }
    }

    static func code(_ n: Int, to address: String = "ann@example.com", name: String = "Ann") -> (String, EmailCommand) {
        ("msg-\(n)-\(UUID().uuidString.prefix(8))", .loginCode(to: address, username: name, code: String(format: "%06d", n), minutes: 15))
    }

    /// How many times the EMAIL stream has handed a message to the Notifier (first tries and retries).
    static func deliveries(_ system: TestSystem) async throws -> Int {
        struct Info: Decodable {
            struct Delivered: Decodable { let consumer_seq: Int }
            let delivered: Delivered
        }
        let connection = try await system.connectHarness()
        defer { Task { await connection.drain() } }
        let reply = try await connection.request(
            "$JS.API.CONSUMER.INFO.\(system.subjects.emailStream).\(system.subjects.notifierConsumer)", timeout: .seconds(5))
        return try JSONDecoder().decode(Info.self, from: reply.payload).delivered.consumer_seq
    }

    static func options(_ server: SMTPServerProcess, _ extra: [String: String] = [:]) -> TestSystem.Options {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_MAIL_URL"] = "smtp://127.0.0.1:\(server.port)"
        options.environment["TOLLGATE_MAIL_RETRY_BASE"] = "1"
        options.environment.merge(extra) { _, new in new }
        return options
    }

    static func deadLetters(_ system: TestSystem) async throws -> [DeadLetter] {
        let connection = try await system.connect(as: .notifierCLI)
        let letters = try await DeadLetters(jetStream: try connection.jetStream(), subjects: system.subjects).list()
        await connection.drain()
        return letters.map(\.letter)
    }

    /// Decodes RFC 2047 `=?utf-8?B?…?=` words (folded or not) back to text.
    static func decodeHeader(_ value: String) -> String {
        // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
        value.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "?= =?", with: "?==?")
            .components(separatedBy: "?=").map { part -> String in
            guard let start = part.range(of: "=?utf-8?B?") else { return part }
            let decoded = Data(base64Encoded: String(part[start.upperBound...])).map { String(decoding: $0, as: UTF8.self) }
            return String(part[..<start.lowerBound]) + (decoded ?? "")
        }.joined()
    }

    static func header(_ name: String, in message: String) -> String? {
        let unfolded = message.components(separatedBy: "\r\n\r\n").first?.replacingOccurrences(of: "\r\n ", with: " ") ?? ""
        return unfolded.components(separatedBy: "\r\n").first { $0.hasPrefix("\(name): ") }
            .map { String($0.dropFirst(name.count + 2)) }
    }

    @Test("a message arrives with its headers and both parts; non-ASCII names and subjects intact")
    func arrives() async throws {
        let server = try SMTPServerProcess()
        try await server.start()
        var options = Self.options(
            server,
            [
                "TOLLGATE_PRODUCT_NAME": "Café Zoë — Ünïcode Products of Everywhere",
                "TOLLGATE_MAIL_FROM": "Zoë’s Team <team@example.com>", "TOLLGATE_MAIL_REPLY_TO": "help@example.com",
            ])
        options.environment["TOLLGATE_MAIL_MAX_IN_FLIGHT"] = "4"
        try await TestSystem.with(options) { system in
            try await Self.publish(system, [("welcome-1", .loginCode(to: "zoe@example.com", username: "Zoë Ærøskøbing", code: "123456", minutes: 15))])
            let message = try await eventually("the message at the SMTP server") { server.messages().first }
            #expect(message.hasPrefix("X-Envelope-From: team@example.com\r\nX-Envelope-To: zoe@example.com\r\n"))
            #expect(Self.decodeHeader(Self.header("From", in: message) ?? "") == "Zoë’s Team <team@example.com>")
            #expect(Self.decodeHeader(Self.header("To", in: message) ?? "") == "Zoë Ærøskøbing <zoe@example.com>")
            #expect(Self.decodeHeader(Self.header("Subject", in: message) ?? "")
                == "Your Café Zoë — Ünïcode Products of Everywhere sign-in code: 123456")
            #expect(Self.header("Reply-To", in: message) == "help@example.com")
            #expect(Self.header("Message-ID", in: message) == "<welcome-1@tollgate>")
            #expect(Self.header("Date", in: message)?.hasSuffix("+0000") == true)
            #expect(message.contains("multipart/alternative"))
            let parts = MimeParts.decodedBodies(of: message)
            #expect(parts.count == 2)
            #expect(parts.first?.contains("123456") == true)
            #expect(parts.last?.contains("Zoë Ærøskøbing") == true)
            #expect(message.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "no header or body line over 78")
        }
    }

    @Test("100 messages go over one reused connection")
    func connectionReuse() async throws {
        let server = try SMTPServerProcess()
        try await server.start()
        try await TestSystem.with(Self.options(server, ["TOLLGATE_MAIL_MAX_IN_FLIGHT": "1"])) { system in
            try await Self.publish(system, (1...100).map { Self.code($0) })
            _ = try await eventually("100 messages", timeout: .seconds(30)) { server.messages().count == 100 ? true : nil }
            #expect(server.connectionCount() == 1)
            let codes = Set(server.messages().compactMap { MimeParts.decodedBodies(of: $0).first.flatMap(Mailbox.sixDigitCode) })
            #expect(codes.count == 100, "each message once")
        }
    }

    @Test("with the server down the message waits, and is delivered once it is back")
    func serverDown() async throws {
        let server = try SMTPServerProcess()
        try await TestSystem.with(Self.options(server)) { system in
            try await Self.publish(system, [Self.code(7)])
            _ = try await eventually("tried, and tried again") { try await Self.deliveries(system) >= 2 ? true : nil }
            #expect(try await Self.deadLetters(system).isEmpty)
            try await server.start()
            _ = try await eventually("delivered after the server came back", timeout: .seconds(15)) {
                server.messages().count == 1 ? true : nil
            }
            #expect(try await Self.deadLetters(system).isEmpty)
        }
    }

    @Test("a 550 puts the message in the dead letters with the reason, never a one-time code; retry has the Notifier send it again")
    func permanentFailure() async throws {
        let refusing = try SMTPServerProcess(SMTPServerProcess.Options(rejectPrefix: "bounce"))
        try await refusing.start()
        try await TestSystem.with(Self.options(refusing)) { system in
            let id = "msg-changed-\(UUID().uuidString.prefix(8))"
            let changed = EmailCommand.passwordChanged(to: "bounce@example.com", username: "Bo", when: "now", ip: "192.0.2.1")
            let (codeID, code) = Self.code(9, to: "bounce-code@example.com")
            try await Self.publish(system, [(id, changed), (codeID, code), Self.code(10)])
            let letters = try await eventually("two dead letters") {
                let letters = try await Self.deadLetters(system)
                return letters.count == 2 ? letters : nil
            }
            let letter = try #require(letters.first { $0.messageID == id })
            #expect(letter.reason.contains("550"))
            #expect(letter.attempts == 1, "a permanent refusal is not retried")
            #expect(letter.command == changed, "an email without a secret is kept, to be sent again")
            let codeLetter = try #require(letters.first { $0.messageID == codeID })
            #expect(codeLetter.template == .loginCode && codeLetter.to == "bounce-code@example.com")
            #expect(codeLetter.command == nil, "the sign-in code is not kept")
            _ = try await eventually("the other message delivered") { refusing.messages().count == 1 ? true : nil }

            var environment = system.environment
            environment["TOLLGATE_LOG_LEVEL"] = "error"
            let list = try NotifierCommandLine.run(["dead-letters", "list"], environment: environment)
            #expect(list.status == 0, "\(list.output)")
            #expect(list.output.contains(id) && list.output.contains("550") && list.output.contains("login_code"))
            #expect(!list.output.contains("000009"))

            refusing.stop()
            let accepting = try SMTPServerProcess(port: refusing.port)
            try await accepting.start()
            let retry = try NotifierCommandLine.run(["dead-letters", "retry", id], environment: environment)
            #expect(retry.status == 0, "\(retry.output)")
            #expect(accepting.messages().contains { $0.contains("X-Envelope-To: bounce@example.com") }, "sent before the answer")
            let again = try NotifierCommandLine.run(["dead-letters", "retry", codeID], environment: environment)
            #expect(again.status == 1)
            #expect(again.output.contains("one-time"), "\(again.output)")
            #expect(try await Self.deadLetters(system).map(\.messageID) == [codeID])
            #expect(try NotifierCommandLine.run(["dead-letters", "retry", id], environment: environment).status == 1)
        }
    }

    @Test("a crash after the server accepted a message but before the ack does not send it twice")
    func crashBeforeAck() async throws {
        let server = try SMTPServerProcess()
        try await server.start()
        try await TestSystem.with(Self.options(server, ["TOLLGATE_MAIL_ACK_WAIT": "2"])) { system in
            await system.stopService(.notifier)
            try await system.startService(.notifier, notifierFaults: DeliveryFaults(stopBeforeAck: true))
            try await Self.publish(system, [Self.code(1)])
            _ = try await eventually("sent once") { server.messages().count == 1 ? true : nil }
            await system.stopService(.notifier)
            try await system.startService(.notifier)
            // The unacknowledged message comes back after the ack wait (2 s) and is not sent again; a
            // later one shows the Notifier is working again. Settled: nothing more can arrive.
            try await Self.publish(system, [Self.code(2)])
            try await system.waitForMailToSettle()
            let codes = server.messages().compactMap { MimeParts.decodedBodies(of: $0).first.flatMap(Mailbox.sixDigitCode) }
            #expect(codes.sorted() == ["000001", "000002"])
        }
    }

    @Test("STARTTLS with the test's own certificate, and AUTH")
    func startTLSAndAuth() async throws {
        let folder = try TemporaryDirectory("tollgate-cert")
        defer { folder.remove() }
        let certificate = try TestCertificate.make(in: folder)
        let server = try SMTPServerProcess(
            SMTPServerProcess.Options(certificate: (certificate.cert, certificate.key), auth: "mailer:s3cret pass"))
        try await server.start()
        let options = Self.options(
            server,
            [
                "TOLLGATE_MAIL_URL": "smtp://mailer:s3cret%20pass@localhost:\(server.port)?tls=required",
                "TOLLGATE_MAIL_CA_FILE": certificate.cert,
            ])
        try await TestSystem.with(options) { system in
            try await Self.publish(system, [Self.code(3)])
            let message = try await eventually("delivered over TLS") { server.messages().first }
            #expect(MimeParts.decodedBodies(of: message).first?.contains("000003") == true)
        }
    }

    @Test("send-test queues test emails that arrive")
    func sendTest() async throws {
        let server = try SMTPServerProcess()
        try await server.start()
        try await TestSystem.with(Self.options(server)) { system in
            var environment = system.environment
            environment["TOLLGATE_LOG_LEVEL"] = "error"
            let run = try NotifierCommandLine.run(["send-test", "--to", "ops@example.com", "--count", "3"], environment: environment)
            #expect(run.status == 0, "\(run.output)")
            _ = try await eventually("3 test emails") { server.messages().count == 3 ? true : nil }
            #expect(server.messages().allSatisfy { $0.contains("X-Envelope-To: ops@example.com") })
        }
    }

    @Test("smtps:// speaks TLS from the first byte, and AUTH LOGIN when PLAIN is not offered")
    func implicitTLSAndLogin() async throws {
        let folder = try TemporaryDirectory("tollgate-cert")
        defer { folder.remove() }
        let certificate = try TestCertificate.make(in: folder)
        let server = try SMTPServerProcess(
            SMTPServerProcess.Options(
                certificate: (certificate.cert, certificate.key), implicitTLS: true, auth: "mailer:pw", loginOnly: true))
        try await server.start()
        let options = Self.options(
            server,
            ["TOLLGATE_MAIL_URL": "smtps://mailer:pw@localhost:\(server.port)", "TOLLGATE_MAIL_CA_FILE": certificate.cert])
        try await TestSystem.with(options) { system in
            try await Self.publish(system, [Self.code(4)])
            let message = try await eventually("delivered over implicit TLS") { server.messages().first }
            #expect(MimeParts.decodedBodies(of: message).first?.contains("000004") == true)
        }
    }

    @Test("a message deferred (451) on every attempt goes to the dead letters once its attempts are used up")
    func attemptsExhausted() async throws {
        let server = try SMTPServerProcess(SMTPServerProcess.Options(deferPrefix: "later"))
        try await server.start()
        try await TestSystem.with(Self.options(server, ["TOLLGATE_MAIL_MAX_ATTEMPTS": "2"])) { system in
            let (id, command) = Self.code(5, to: "later@example.com")
            try await Self.publish(system, [(id, command)])
            let letter = try await eventually("a dead letter after 2 attempts", timeout: .seconds(15)) {
                try await Self.deadLetters(system).first
            }
            #expect(letter.messageID == id)
            #expect(letter.attempts == 2)
            #expect(letter.reason.contains("451"))
            #expect(server.messages().isEmpty)
        }
    }

    @Test("an idle connection is closed after the idle timeout; the next message opens a new one")
    func idleTimeout() async throws {
        let server = try SMTPServerProcess()
        try await server.start()
        try await TestSystem.with(Self.options(server, ["TOLLGATE_SMTP_IDLE_TIMEOUT": "1", "TOLLGATE_MAIL_MAX_IN_FLIGHT": "1"])) { system in
            try await Self.publish(system, [Self.code(1), Self.code(2)])
            _ = try await eventually("two messages") { server.messages().count == 2 ? true : nil }
            #expect(server.connectionCount() == 1)
            // The Notifier's own idle timer (1 s) must have run: real time, on purpose.
            try await Task.sleep(for: .milliseconds(2500))
            try await Self.publish(system, [Self.code(3)])
            _ = try await eventually("the third message") { server.messages().count == 3 ? true : nil }
            #expect(server.connectionCount() == 2)
        }
    }

    @Test("a refused login is a set-up problem: the email waits for retries instead of going to the dead letters")
    func wrongPassword() async throws {
        let server = try SMTPServerProcess(SMTPServerProcess.Options(auth: "mailer:right"))
        try await server.start()
        let options = Self.options(server, ["TOLLGATE_MAIL_URL": "smtp://mailer:wrong@127.0.0.1:\(server.port)"])
        try await TestSystem.with(options) { system in
            try await Self.publish(system, [Self.code(6)])
            // An absence over time (the Notifier keeps retrying the set-up on its own, holding the
            // message): no clock of ours runs it sooner.
            try await Task.sleep(for: .milliseconds(2500))
            #expect(server.messages().isEmpty)
            #expect(try await Self.deadLetters(system).isEmpty)
        }
    }
}
