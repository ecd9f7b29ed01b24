import FluentKit
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing
import TollgatePersistence
import TollgateTestSupport
import WebhookService

/// `make cluster` as an operator runs it (three NATS servers, PostgreSQL, two instances of every
/// service, the launcher restarting what dies), under traffic, losing a server and an instance of
/// every service at once.
@Suite("Cluster: a NATS server and an instance of every service killed under traffic")
struct NodeLossTests {
    /// `count` consecutive loopback ports nobody listens on.
    static func freePorts(_ count: Int) throws -> Int {
        for _ in 0..<50 {
            // Below Linux's ephemeral range (32768 and up), where outgoing connections take their ports.
            let base = Int.random(in: 10_000...30_000)
            if (base..<base + count).allSatisfy({ !FreePort.isListening($0) }) { return base }
        }
        throw NoFreePorts()
    }

    struct NoFreePorts: Error {}

    static func eventBody(_ id: String) -> Data {
        Data(#"{"id":"\#(id)","object":"event","type":"checkout.session.expired","data":{"object":{"id":"cs_\#(id)","object":"checkout.session"}}}"#.utf8)
    }

    @Test("logins, refreshes, /me, Stripe events and emails go on: no 500, events applied once, emails delivered, a logout from the outage enforced",
          .enabled(if: DatabaseEngine.available.contains(.postgres), "needs TOLLGATE_TEST_POSTGRES_URL"),
          .timeLimit(.minutes(5)))
    func killUnderTraffic() async throws {
        let data = try TemporaryDirectory("tollgate-cluster")
        defer { data.remove() }
        let databases = [try await TestDatabase.make(.postgres), try await TestDatabase.make(.postgres), try await TestDatabase.make(.postgres)]
        let smtp = try SMTPServerProcess()
        try await smtp.start()
        defer { smtp.stop() }
        let (http, webhook, nats, routePorts) = (try Self.freePorts(3), try Self.freePorts(3), try Self.freePorts(3), try Self.freePorts(3))
        let secret = "whsec_cluster_test"
        // gateway.yaml with every policy's limit far above what one test address sends.
        let routes = try String(contentsOfFile: TestSystem.repositoryRoot + "/gateway-config/gateway.yaml", encoding: .utf8)
            .replacingOccurrences(of: #"limit: (\d+)"#, with: "limit: $1000000", options: .regularExpression)
        try routes.write(toFile: data.path + "/gateway.yaml", atomically: true, encoding: .utf8)
        let launched = try LaunchedSystem(
            arguments: ["--cluster"],
            environment: [
                "TOLLGATE_DATA_DIR": data.path + "/data", "TOLLGATE_HTTP_PORT": String(http), "TOLLGATE_WEBHOOK_PORT": String(webhook),
                "TOLLGATE_NATS_PORT": String(nats), "TOLLGATE_NATS_ROUTE_PORT": String(routePorts), "TOLLGATE_GATEWAY_CONFIG": data.path + "/gateway.yaml",
                "TOLLGATE_HTTP_HOST": "127.0.0.1", "TOLLGATE_WEBHOOK_HOST": "127.0.0.1",
                "TOLLGATE_AUTH_DATABASE_URL": databases[0].url, "TOLLGATE_BILLING_DATABASE_URL": databases[1].url,
                "TOLLGATE_NOTIFIER_DATABASE_URL": databases[2].url,
                "TOLLGATE_MAIL_URL": "smtp://127.0.0.1:\(smtp.port)", "STRIPE_WEBHOOK_SECRET": secret,
                // Billing consumes events only with a key; these events never make it call Stripe.
                "STRIPE_SECRET_KEY": "sk_test_cluster", "STRIPE_API_BASE": "http://127.0.0.1:9",
                // What a killed instance held goes to the other after this long.
                "TOLLGATE_BILLING_EVENTS_ACK_WAIT": "5", "TOLLGATE_MAIL_ACK_WAIT": "5",
                "TOLLGATE_ARGON2_MEMORY_KIB": "1024", "TOLLGATE_ARGON2_ITERATIONS": "1", "TOLLGATE_LOG_LEVEL": "warning",
                "TOLLGATE_RATE_LIMIT_SHARE_MS": "5",
            ],
            log: data.path + "/launch.log")
        defer { launched.kill() }
        let launchedAt = ContinuousClock.now
        let gateways = [GatewayClient(port: http), GatewayClient(port: http + 2)]
        let webhooks = [GatewayClient(port: webhook), GatewayClient(port: webhook + 2)]
        for gateway in gateways {
            _ = try await eventually("the cluster ready", timeout: .seconds(150), every: .milliseconds(500)) {
                try? await gateway.get("/readyz").status == 200 ? true : nil
            }
        }

        print("cluster kill: ready \(ContinuousClock.now - launchedAt) after the launch")
        let tally = Tally()
        // Users made before the traffic, through both gateways: each gets a verification email.
        var made: [String] = []
        for index in 0..<24 {
            let name = "load\(index)"
            let answer = try await gateways[index % 2].post(
                "/register", json: ["email": "\(name)@example.com", "username": name, "password": "amber-lantern-7"])
            #expect(answer.status == 201, "\(answer.text)")
            made.append(name)
        }
        let users = made
        let victimSession = try await gateways[0].post("/login", json: ["email": "load0@example.com", "password": "amber-lantern-7"])
        let victimToken = try #require(victimSession.json["token"] as? String)

        let started = ContinuousClock.now
        let killAt = started + .seconds(6)
        let stopAt = killAt + .seconds(14)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var round = 0
                    while ContinuousClock.now < stopAt {
                        round += 1
                        let which = (worker + round) % 2
                        await Self.oneRound(
                            user: users[(worker * 7 + round) % users.count], gateway: gateways[which], webhook: webhooks[which],
                            event: "evt_\(worker)_\(round)", round: round, secret: secret, tally: tally, killed: which == 0 ? killAt : nil)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(until: killAt)
                // A NATS server and the first instance of every service, at once, as a machine lost.
                let victims = try ["nats-node-2.conf"].map { marker in
                    try #require(launched.process(named: "/usr/sbin/nats-server", marker: marker)
                        ?? launched.process(named: "/usr/bin/nats-server", marker: marker))
                } + ["auth", "billing", "notifier", "webhook", "gateway"].map { service in
                    try #require(launched.process(named: service, marker: "TOLLGATE_HTTP_PORT=\(http) "))
                }
                for pid in victims { kill(pid, SIGKILL) }
                // While the server is down: a logout through the surviving gateway, sent again (as a
                // client would) when the first attempt was in flight to an instance that died.
                for _ in 0..<40 {
                    let logout = try? await gateways[1].post("/logout", json: [:], token: victimToken)
                    tally.logoutStatus.withLock { $0 = logout?.status }
                    if logout?.status == 200 { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            try await group.waitForAll()
        }

        // Requests through the surviving instances: none answered 500; failures only briefly.
        let statuses = tally.statuses.withLock { $0 }
        #expect(statuses.keys.allSatisfy { $0 < 500 || $0 == 503 || $0 == 504 }, "statuses: \(statuses)")
        #expect((statuses[200] ?? 0) > 200, "traffic flowed: \(statuses)")
        let recovery = tally.lastFailure.withLock { $0 }.map { $0 - killAt } ?? .zero
        #expect(recovery < .seconds(5), "requests sent through the surviving instances failed until \(recovery) after the kill")
        print("cluster kill: \(tally.byRequest.withLock { $0 }.sorted { $0.key < $1.key }); the last failed request through the surviving instances was sent \(recovery) after the kill")
        #expect(tally.logoutStatus.withLock { $0 } == 200, "the logout made during the outage")

        // The launcher restarted everything; the logout holds at every gateway.
        for gateway in gateways {
            _ = try await eventually("every gateway back and refusing the logged-out token", timeout: .seconds(60), every: .milliseconds(500)) {
                try? await gateway.get("/me", token: victimToken).status == 401 ? true : nil
            }
        }
        // Every accepted event applied, once.
        let accepted = tally.acceptedEvents.withLock { $0 }
        let billing = try ServiceDatabase(location: try #require(DatabaseLocation(url: databases[1].url)), logger: Logger(label: "test-billing-db"))
        let applied = try await eventually("every accepted event applied", timeout: .seconds(60), every: .milliseconds(500)) { () -> [String]? in
            let rows = try await billing.sql.raw("SELECT event_id FROM processed_stripe_events").all()
                .map { try $0.decode(column: "event_id", as: String.self) }
            return Set(rows).isSuperset(of: accepted) ? rows : nil
        }
        await billing.shutdown()
        #expect(applied.count == Set(applied).count, "an event applied twice")
        #expect(Set(applied).isSubset(of: tally.sentEvents.withLock { $0 }))
        // Every verification email delivered; duplicates at most 1 %.
        let registered = users.map { "\($0)@example.com" } + tally.registered.withLock { $0 }
        func deliveries() -> [String: Int] {
            var counts: [String: Int] = [:]
            for message in smtp.messages() {
                for address in registered where message.contains("<\(address)>") || message.contains("To: \(address)") {
                    counts[address, default: 0] += 1
                }
            }
            return counts
        }
        _ = try? await eventually("every email delivered", timeout: .seconds(60), every: .milliseconds(500)) {
            deliveries().count == Set(registered).count ? true : nil
        }
        let delivered = deliveries()
        let missing = Set(registered).subtracting(delivered.keys)
        // Where undelivered emails wait, if any do: still in Auth's outbox, or in the stream.
        var unpublished = "unknown"
        if !missing.isEmpty {
            let auth = try ServiceDatabase(location: try #require(DatabaseLocation(url: databases[0].url)), logger: Logger(label: "test-auth-db"))
            let rows = try? await auth.sql.raw("SELECT id FROM \(ident: OutboxMessage.schema)").all()
            unpublished = rows.map { "\($0.count)" } ?? "unreadable"
            await auth.shutdown()
        }
        #expect(missing.isEmpty, "never delivered: \(missing.sorted()); rows left in Auth's outbox: \(unpublished)\n\(launched.logText.split(separator: "\n").filter { $0.contains("notifier") || $0.contains("auth") }.suffix(40).joined(separator: "\n"))")
        let duplicates = delivered.values.reduce(0) { $0 + $1 - 1 }
        #expect(Double(duplicates) <= Double(registered.count) * 0.01, "\(duplicates) duplicates of \(registered.count) emails")
        for database in databases { await database.drop() }
    }

    /// A sign-in, a refresh, `/me`, a signed Stripe event and (now and then) a registration.
    static func oneRound(
        user: String, gateway: GatewayClient, webhook: GatewayClient, event: String, round: Int, secret: String, tally: Tally,
        killed: ContinuousClock.Instant?
    ) async {
        var sent = ContinuousClock.now
        // A failure is dated by when its request was sent: one in flight to an instance that died
        // fails at its timeout, and says nothing about requests sent later.
        func record(_ status: Int?, _ what: String) {
            // The killed instance's own refusals (connection refused) are expected until it is back.
            if let status {
                tally.statuses.withLock { $0[status, default: 0] += 1 }
                tally.byRequest.withLock { $0["\(what) \(status)", default: 0] += 1 }
            }
            let failed = status.map { $0 >= 500 } ?? true
            if failed && killed == nil { tally.lastFailure.withLock { $0 = max($0 ?? sent, sent) } }
            sent = ContinuousClock.now
        }
        let login = try? await gateway.post("/login", json: ["email": "\(user)@example.com", "password": "amber-lantern-7"])
        record(login?.status, "login")
        if let login, let token = login.json["token"] as? String {
            record((try? await gateway.get("/me", token: token))?.status, "me")
            if let cookie = SessionTests.refreshCookie(login) {
                record((try? await gateway.send(.post, "/refresh-token", headers: ["Cookie": "refresh_token=\(cookie)", "Content-Type": "application/json"]))?.status, "refresh")
            }
        }
        let payload = eventBody(event)
        tally.sentEvents.withLock { _ = $0.insert(event) }
        let signature = StripeSignature.header(payload: payload, secret: secret, timestamp: Int64(Date().timeIntervalSince1970))
        let answer = try? await webhook.send(
            .post, WebhookService.path, headers: ["Stripe-Signature": signature, "Content-Type": "application/json"], body: payload)
        record(answer?.status, "event")
        if answer?.status == 200 { tally.acceptedEvents.withLock { _ = $0.insert(event) } }
        // Enough registrations (each a verification email) that 1 % of them is a few messages.
        if round % 3 == 0 {
            let name = "new_\(event)"
            let registration = try? await gateway.post(
                "/register", json: ["email": "\(name)@example.com", "username": name, "password": "amber-lantern-7"])
            record(registration?.status, "register")
            if registration?.status == 201 { tally.registered.withLock { $0.append("\(name)@example.com") } }
        }
    }

    final class Tally: Sendable {
        let statuses = Mutex<[Int: Int]>([:])
        /// `login 200`, `event 503`, …
        let byRequest = Mutex<[String: Int]>([:])
        let lastFailure = Mutex<ContinuousClock.Instant?>(nil)
        let sentEvents = Mutex<Set<String>>([])
        let acceptedEvents = Mutex<Set<String>>([])
        let registered = Mutex<[String]>([])
        let logoutStatus = Mutex<Int?>(nil)
    }
}
