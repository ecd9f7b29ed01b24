import Foundation
import Logging
import Synchronization
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateSecurity
import TollgateServiceKit
import TollgateTestSupport

/// The bus as an attacker who reaches the NATS port finds it: every connection must sign in with a
/// key the server knows, each identity may do only its own work, and the services believe a
/// request only with a user's token in it.
@Suite("The bus: nothing believed without credentials")
struct BusSecurityTests {
    static func refused(_ connection: NatsConnection, _ what: String) async throws -> String {
        try await eventually("the server's refusal of \(what)", timeout: .seconds(5)) {
            connection.lastRefusal.flatMap { $0.contains("Permissions Violation") && $0.contains(what) ? $0 : nil }
        }
    }

    @Test("an outsider without credentials, or with a key the server does not know, is refused at once")
    func outsiders() async throws {
        try await TestSystem.with { system in
            let answer = try RawNatsClient.anonymousConnect(port: system.nats.clientPorts[0])
            #expect(answer.contains("Authorization Violation"), "\(answer)")

            var stranger = try system.options(as: .gateway)
            let key = NKey.generateUser()
            stranger.credentials = NatsCredentials(publicKey: key.publicKey, seed: key.seed)
            let started = ContinuousClock.now
            do {
                _ = try await NatsConnection.connect(stranger, logger: Logger(label: "stranger"))
                Issue.record("an unknown key got in")
            } catch let error as NatsError {
                #expect(error.code == .authentication, "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(3), "refused, not retried")
        }
    }

    @Test("each identity is refused what is not its own: buckets, streams and other services' subjects")
    func leastPrivilege() async throws {
        try await TestSystem.with { system in
            let subjects = system.subjects
            let user = try await SessionTests.signIn(system, "victim")
            let harness = try await system.connectHarness()
            let entitlements = try await harness.jetStream().existingKeyValue(subjects.entitlementsBucket)
            let jwks = try await harness.jetStream().existingKeyValue(subjects.jwksBucket)

            // The gateway grants itself a paid tier.
            let gateway = try await system.connect(as: .gateway)
            let paid = try JSONEncoder().encode(Entitlement(tier: 2, accessUntil: Int64(Date().timeIntervalSince1970) + 86400))
            await #expect(throws: NatsError.self) {
                try await gateway.jetStream(timeout: .milliseconds(500)).publish(
                    KeyValueBucket.putSubject(bucket: subjects.entitlementsBucket, key: user.userID), payload: paid)
            }
            _ = try await Self.refused(gateway, "$KV.\(subjects.entitlementsBucket)")
            #expect(try await entitlements.get(user.userID) == nil)

            // Billing puts its own signing key beside Auth's.
            let billing = try await system.connect(as: .billing)
            await #expect(throws: NatsError.self) {
                try await billing.jetStream(timeout: .milliseconds(500)).publish(
                    KeyValueBucket.putSubject(bucket: subjects.jwksBucket, key: "evil"), payload: Data("{}".utf8))
            }
            _ = try await Self.refused(billing, "$KV.\(subjects.jwksBucket)")
            #expect(try await jwks.get("evil") == nil)

            // The Notifier asks Auth for the user list; Webhook sends a reset email; Auth reads the EMAIL stream.
            let notifier = try await system.connect(as: .notifier)
            await #expect(throws: NatsError.self) {
                try await notifier.request(subjects.subject(of: AuthEndpoints.adminUsersList), timeout: .milliseconds(500))
            }
            _ = try await Self.refused(notifier, subjects.subject(of: AuthEndpoints.adminUsersList))
            let webhook = try await system.connect(as: .webhook)
            try webhook.publish(subjects.email(.resetPassword), payload: Data("{}".utf8))
            _ = try await Self.refused(webhook, subjects.email(.resetPassword))
            let auth = try await system.connect(as: .auth)
            await #expect(throws: NatsError.self) {
                try await auth.request("$JS.API.STREAM.MSG.GET.\(subjects.emailStream)", payload: Data(#"{"seq":1}"#.utf8),
                    timeout: .milliseconds(500))
            }
            _ = try await Self.refused(auth, "$JS.API.STREAM.MSG.GET")
            // Billing sends an email only Auth may send.
            try billing.publish(subjects.email(.loginCode), payload: Data("{}".utf8))
            _ = try await Self.refused(billing, subjects.email(.loginCode))

            for connection in [gateway, billing, notifier, webhook, auth, harness] { await connection.drain() }
        }
    }

    @Test("with the gateway's own key but no user's token, no message makes Auth or Billing act for a user")
    func forgedPrincipal() async throws {
        try await BillingTestKit.with { system, _ in
            let admin = try await BillingTestKit.adminToken(system)
            let user = try await SessionTests.signIn(system, "plain")
            let meResponse = try await system.client.get("/me", token: admin)
            let adminID = try #require(meResponse.json["id"] as? String)
            let gateway = try await system.connect(as: .gateway)

            func ask(_ subject: String, token: String? = nil) async throws -> (Int, String) {
                var headers = RequestEnvelope(method: "GET", path: "/", accessToken: token).natsHeaders
                // What the gateway used to send, and an attacker would: "trust me, this is the admin".
                headers.add("Tollgate-Principal-User", adminID)
                headers.add("Tollgate-Principal-Session", UUID().uuidString.lowercased())
                headers.add("Tollgate-Principal-Role", "admin")
                let reply = try await gateway.request(subject, headers: headers, timeout: .seconds(5))
                return (ReplyEnvelope(natsHeaders: reply.headers)?.status ?? 0, String(decoding: reply.payload, as: UTF8.self))
            }

            for subject in [system.subjects.subject(of: AuthEndpoints.adminUsersList), system.subjects.subject(of: AuthEndpoints.me), system.subjects.subject(of: BillingEndpoints.subscriptionMe),
                system.subjects.subject(of: BillingEndpoints.adminPayments)]
            {
                let (status, body) = try await ask(subject)
                #expect(status == 401, "\(subject): \(body)")
                #expect(!body.contains("admin@example.com"))
            }
            let (forged, _) = try await ask(system.subjects.subject(of: AuthEndpoints.adminUsersList), token: "not.a.token")
            #expect(forged == 401)
            // A real user's token opens that user's routes, and admin routes stay shut to it.
            let (mine, body) = try await ask(system.subjects.subject(of: AuthEndpoints.me), token: user.token)
            #expect(mine == 200 && body.contains("plain@example.com"), "\(body)")
            let (denied, deniedBody) = try await ask(system.subjects.subject(of: AuthEndpoints.adminUsersList), token: user.token)
            #expect(denied == 403, "\(deniedBody)")
            let (billingDenied, _) = try await ask(system.subjects.subject(of: BillingEndpoints.adminPayments), token: user.token)
            #expect(billingDenied == 403)
            let (allowed, list) = try await ask(system.subjects.subject(of: AuthEndpoints.adminUsersList), token: admin)
            #expect(allowed == 200 && list.contains("plain@example.com"))
            // A logged-out token is refused by the service too, not only by the gateway.
            let logout = try await system.client.send(
                .post, "/logout", headers: ["Authorization": "Bearer \(user.token)", "Content-Type": "application/json"])
            #expect(logout.status < 300, "\(logout.text)")
            _ = try await eventually("the service refuses the revoked token") {
                try await ask(system.subjects.subject(of: AuthEndpoints.me), token: user.token).0 == 401 ? true : nil
            }
            await gateway.drain()
        }
    }

    @Test("a subscriber on > sees nothing, whichever identity it is; nobody reads another's inbox")
    func wildcardSubscribers() async throws {
        try await TestSystem.with { system in
            var listeners: [(BusIdentity, NatsConnection, NatsSubscription)] = []
            for identity in BusIdentity.allCases {
                let connection = try await system.connect(as: identity)
                listeners.append((identity, connection, try connection.subscribe(">")))
            }
            let auth = try await system.connect(as: .auth)
            let gatewayInbox = try auth.subscribe(BusIdentity.gateway.inboxPrefix(system.subjects) + ".>")
            let heard = Heard()
            let subscriptions = listeners.map(\.2) + [gatewayInbox]
            let counting = Task {
                await withTaskGroup(of: Void.self) { group in
                    for subscription in subscriptions {
                        group.addTask { for await _ in subscription { heard.count.add(1, ordering: .relaxed) } }
                    }
                }
            }
            for (identity, connection, _) in listeners {
                let refusal = try await Self.refused(connection, "Subscription")
                #expect(refusal.contains("\">\""), "\(identity): \(refusal)")
            }
            _ = try await Self.refused(auth, "Subscription")

            // Traffic of every kind: passwords and tokens in requests and replies, an email, a key watch.
            let signedIn = try await SessionTests.signIn(system, "watched")
            #expect(try await system.client.get("/me", token: signedIn.token).status == 200)
            _ = try await system.client.post("/forget-password", json: ["email": "watched@example.com"])
            _ = try await Mailbox(system, "watched@example.com").next(containing: "reset-password?token=")
            // An absence (what a refused subscriber must never hear): no event marks its end.
            try await Task.sleep(for: .milliseconds(300))
            let count = heard.count.load(ordering: .relaxed)
            #expect(count == 0, "a wildcard or foreign-inbox subscriber heard \(count) messages")
            counting.cancel()
            for (_, connection, subscription) in listeners {
                subscription.unsubscribe()
                await connection.drain()
            }
            gatewayInbox.unsubscribe()
            await auth.drain()
        }
    }

    @Test("a reset link is sealed while it waits, and after delivery is in no stream, outbox row or file",
        arguments: DatabaseEngine.available)
    func noSecretAtRest(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            _ = try await SessionTests.signIn(system, "kept")
            let harness = try await system.connectHarness()
            await system.stopService(.notifier)
            let response = try await system.client.post("/forget-password", json: ["email": "kept@example.com"])
            #expect(response.status == 202)

            // Waiting in the stream: sealed for the Notifier, no link in it.
            let waiting = try await eventually("the reset email in the stream") {
                try await harness.jetStream().storedMessages(in: system.subjects.emailStream)
                    .first { $0.message.subject == system.subjects.email(.resetPassword) }
            }
            let sealed = try JSONDecoder().decode(SealedEmail.self, from: waiting.message.payload)
            #expect(!sealed.sealedFor.isEmpty)
            let waitingText = String(decoding: waiting.message.payload, as: UTF8.self)
            #expect(!waitingText.contains("reset-password") && !waitingText.contains("kept@example.com"))

            try await system.startService(.notifier)
            let email = try await Mailbox(system, "kept@example.com").next(containing: "reset-password?token=")
            let token = try #require(Mailbox.value(after: "reset-password?token=", in: email))

            // Delivered: erased from the stream, and the outbox row is gone.
            _ = try await eventually("the stream emptied") {
                try await harness.jetStream().storedMessages(in: system.subjects.emailStream)
                    .allSatisfy { $0.message.subject != system.subjects.email(.resetPassword) } ? true : nil
            }
            let database = try system.authDatabase()
            let outbox = try await database.sql.raw("SELECT COUNT(*) AS n FROM outbox_messages").first(decoding: Count.self)
            await database.shutdown()
            #expect(outbox?.n == 0)
            // Not on disk anywhere: not in Auth's database files (the token is kept hashed) nor in
            // JetStream's store.
            let places = try Self.files(under: system.data.path) + system.nats.storeDirectories.flatMap { try Self.files(under: $0) }
            #expect(!places.isEmpty)
            for path in places where !path.hasSuffix(".eml") {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(bytes.range(of: Data(token.utf8)) == nil, "the reset token is readable in \(path)")
            }
            await harness.drain()
        }
    }

    struct Count: Decodable { let n: Int }

    final class Heard: Sendable {
        let count = Atomic<Int>(0)
    }

    static func files(under folder: String) throws -> [String] {
        (FileManager.default.subpaths(atPath: folder) ?? []).map { folder + "/" + $0 }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    @Test("the Notifier sends nothing it cannot open, nor a template on another template's subject")
    func forgedEmails() async throws {
        try await TestSystem.with { system in
            let subjects = system.subjects
            // Auth's own key, but no seal: a reset link of an attacker's choosing.
            let auth = try await system.connect(as: .auth)
            let forged = EmailCommand.resetPassword(
                to: "target@example.com", username: "target", resetURL: "https://evil.example/steal", minutes: 30)
            _ = try await auth.jetStream().publish(
                subjects.email(.resetPassword), payload: try JSONCoding.encoder.encode(forged), messageID: "forged-1")
            // Billing seals a reset email properly but may only publish it under one of its own templates.
            let billing = try await system.connect(as: .billing)
            let moved = subjects.email(.subscriptionStarted)
            _ = try await billing.jetStream().publish(
                moved, payload: try system.config.emailSealer().seal(forged, subject: moved), messageID: "forged-2")

            let letters = try await eventually("both in the dead letters") {
                let letters = try await EmailDeliveryTests.deadLetters(system)
                return letters.count == 2 ? letters : nil
            }
            #expect(Set(letters.map(\.messageID)) == ["forged-1", "forged-2"])
            #expect(letters.allSatisfy { $0.command == nil && $0.reason.contains("unreadable") }, "\(letters)")
            #expect(system.emails(to: "target@example.com").isEmpty)
            await auth.drain()
            await billing.drain()
        }
    }

    @Test("a service without credentials, or with a key the server refuses, exits at once naming the variable")
    func startupRefusals() async throws {
        try await TestSystem.with { system in
            let empty = try TemporaryDirectory("tollgate-nocreds")
            defer { empty.remove() }
            let bare = [
                "NATS_URL": system.nats.url, "TOLLGATE_DATA_DIR": empty.path, "TOLLGATE_HTTP_PORT": "0",
                "TOLLGATE_GATEWAY_CONFIG": TestSystem.repositoryRoot + "/gateway-config/gateway.yaml",
            ]
            let missing = try Self.runUntilExit("gateway", environment: bare)
            #expect(missing.status == 78, "\(missing.output)")
            #expect(missing.output.contains("TOLLGATE_NATS_SEED"), "\(missing.output)")

            var unknown = bare
            unknown["TOLLGATE_NATS_SEED"] = NKey.generateUser().seed
            let refused = try Self.runUntilExit("gateway", environment: unknown)
            #expect(refused.status == 78, "\(refused.output)")
            #expect(refused.output.contains("TOLLGATE_NATS_SEED") && refused.output.contains("refused"), "\(refused.output)")
            #expect(!refused.output.contains(unknown["TOLLGATE_NATS_SEED"] ?? "-"), "the seed is never printed")
            #expect(refused.seconds < 10)

            var garbled = bare
            garbled["TOLLGATE_NATS_SEED"] = "SUnot-a-seed"
            let bad = try Self.runUntilExit("billing", environment: garbled)
            #expect(bad.status == 78 && bad.output.contains("does not hold an nkey seed"), "\(bad.output)")
        }
    }

    /// Runs a built executable until it exits (killed after 30 s, which the test then reports).
    static func runUntilExit(_ executable: String, environment: [String: String]) throws
        -> (status: Int32, output: String, seconds: Double)
    {
        let process = Process()
        process.executableURL = BuiltExecutables.url(executable)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { own, _ in own }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let started = Date()
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, text, Date().timeIntervalSince(started))
    }

    @Test("over TLS: with the test's own certificate authority the connection is made; without it, refused at once")
    func tls() async throws {
        let folder = try TemporaryDirectory("tollgate-nats-tls")
        defer { folder.remove() }
        let certificate = try TestCertificate.make(in: folder)
        let server = try NatsServerProcess(tls: .init(certificate: certificate.cert, key: certificate.key))
        try await server.start()
        #expect(server.url.hasPrefix("tls://"))
        var trusting = server.harnessOptions(name: "tls")
        trusting.caFile = certificate.cert
        let connection = try await NatsConnection.connect(trusting, logger: Logger(label: "tls"))
        let echo = try connection.subscribe("tls.echo")
        try connection.publish("tls.echo", payload: Data("over tls".utf8))
        var iterator = echo.makeAsyncIterator()
        #expect(await iterator.next()?.payload == Data("over tls".utf8))
        await connection.drain()

        let started = ContinuousClock.now
        do {
            _ = try await NatsConnection.connect(server.harnessOptions(name: "untrusting"), logger: Logger(label: "tls"))
            Issue.record("a certificate nobody vouched for was accepted")
        } catch let error as NatsError {
            #expect(error.code == .tls, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        server.stop()
    }
}
