import Foundation
import Logging
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateTestSupport
import WebhookService

@Suite("Stripe webhook intake")
struct StripeWebhookTests {
    static func event(_ id: String, type: String = "invoice.paid") -> Data {
        Data(#"{"id":"\#(id)","object":"event","type":"\#(type)","data":{"object":{"id":"in_1"}}}"#.utf8)
    }

    static func post(
        _ system: TestSystem, _ payload: Data, secret: String = TestSystem.stripeWebhookSecret,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970), header: String? = nil
    ) async throws -> HTTPResult {
        let signature = header ?? StripeSignature.header(payload: payload, secret: secret, timestamp: timestamp)
        return try await GatewayClient(port: system.webhookPort).send(
            .post, WebhookService.path, headers: ["Stripe-Signature": signature, "Content-Type": "application/json"],
            body: payload)
    }

    static func stored(_ system: TestSystem) async throws -> [StoredMessage] {
        let connection = try await system.connectHarness()
        let messages = try await connection.jetStream().storedMessages(in: system.subjects.stripeStream)
        await connection.drain()
        return messages
    }

    @Test("a signed event is stored once under its id and subject by type, however often Stripe sends it")
    func storedOnce() async throws {
        try await TestSystem.with { system in
            let payload = Self.event("evt_123", type: "customer.subscription.updated")
            let first = try await Self.post(system, payload)
            #expect(first.status == 200)
            #expect(first.json["received"] as? Bool == true)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await Self.post(system, payload).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 })
            let stored = try await Self.stored(system)
            #expect(stored.count == 1)
            #expect(stored.first?.message.headers["Nats-Msg-Id"] == "evt_123")
            #expect(stored.first?.message.subject == system.subjects.stripeEvent(type: "customer.subscription.updated"))
            #expect(stored.first?.message.payload == payload, "the body exactly as Stripe sent it")
        }
    }

    @Test("bad, stale, wrong-secret and missing signatures are 400 and nothing is stored; a rotated secret works")
    func refusals() async throws {
        var options = TestSystem.Options()
        options.environment["STRIPE_WEBHOOK_SECRET"] = "whsec_old, \(TestSystem.stripeWebhookSecret)"
        try await TestSystem.with(options) { system in
            let payload = Self.event("evt_bad")
            let stale = try await Self.post(system, payload, timestamp: Int64(Date().timeIntervalSince1970) - 301)
            #expect(stale.status == 400)
            #expect((stale.json["detail"] as? String)?.contains("tolerance") == true)
            #expect(try await Self.post(system, payload, secret: "whsec_wrong").status == 400)
            #expect(try await Self.post(system, payload, header: "t=1,v1=deadbeef").status == 400)
            let missing = try await GatewayClient(port: system.webhookPort).send(.post, WebhookService.path, body: payload)
            #expect(missing.status == 400)
            #expect(try await Self.post(system, Data("not json".utf8)).status == 400, "signed but not an event")
            #expect(try await Self.stored(system).isEmpty)

            #expect(try await Self.post(system, Self.event("evt_rotated"), secret: "whsec_old").status == 200)
            #expect(try await Self.stored(system).count == 1)
        }
    }

    @Test("a body over 1 MiB is refused with 413")
    func bodyLimit() async throws {
        try await TestSystem.with { system in
            let big = Data(#"{"id":"evt_big","type":"x","pad":""#.utf8) + Data(repeating: UInt8(ascii: "a"), count: 1 << 20) + Data(#""}"#.utf8)
            let answer = try await Self.post(system, big)
            #expect(answer.status == 413)
        }
    }

    @Test("when JetStream cannot store the event the answer is 503, so Stripe retries")
    func storeDown() async throws {
        let nats = try NatsServerProcess()
        try await nats.start()
        var options = TestSystem.Options()
        options.nats = nats
        options.environment["TOLLGATE_WEBHOOK_STORE_WAIT_MS"] = "1000"
        try await TestSystem.with(options) { system in
            #expect(try await Self.post(system, Self.event("evt_before")).status == 200)
            nats.stop()
            let started = ContinuousClock.now
            let answer = try await Self.post(system, Self.event("evt_during"))
            #expect(answer.status == 503)
            #expect(answer.header("Retry-After") != nil)
            #expect(ContinuousClock.now - started >= .seconds(1), "it waited for the store as configured")
            try await nats.start()
        }
    }

    @Test("an event that arrives while NATS restarts waits for it and is stored: 200, not a refusal")
    func storeBack() async throws {
        let nats = try NatsServerProcess()
        try await nats.start()
        var options = TestSystem.Options()
        options.nats = nats
        try await TestSystem.with(options) { system in
            nats.stop()
            let answer = Task { try await Self.post(system, Self.event("evt_waiting")) }
            try await Task.sleep(for: .milliseconds(300))
            try await nats.start()
            #expect(try await answer.value.status == 200)
            #expect(try await Self.stored(system).map { $0.message.headers["Nats-Msg-Id"] } == ["evt_waiting"])
        }
    }
}
