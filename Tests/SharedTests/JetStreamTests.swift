import Foundation
import Testing
@testable import TollgateMessaging
import TollgateTestSupport

@Suite("JetStream: streams, acknowledged publish, pull consumers, key-value")
struct JetStreamTests {
    static func stream(_ nats: TestNats) async throws -> (JetStream, StreamSettings) {
        let jetStream = try nats.connection.jetStream()
        let settings = StreamSettings(name: nats.prefix.uppercased() + "_EVENTS", subjects: [nats.subject("events.>")])
        try await jetStream.createOrUpdateStream(settings)
        // Creating it again (another service starting) is fine, and so is changing its settings.
        try await jetStream.createOrUpdateStream(settings)
        var changed = settings
        changed.maxAge = .seconds(3600)
        try await jetStream.createOrUpdateStream(changed)
        return (jetStream, settings)
    }

    @Test("publishing twice with one Nats-Msg-Id stores the message once")
    func deduplication() async throws {
        let nats = try await TestNats.connect()
        let (jetStream, settings) = try await Self.stream(nats)
        let first = try await jetStream.publish(nats.subject("events.a"), payload: Data("1".utf8), messageID: "outbox-1")
        let again = try await jetStream.publish(nats.subject("events.a"), payload: Data("1".utf8), messageID: "outbox-1")
        let other = try await jetStream.publish(nats.subject("events.a"), payload: Data("2".utf8), messageID: "outbox-2")
        #expect(first.stream == settings.name)
        #expect(first.duplicate == false)
        #expect(again.duplicate == true)
        #expect(again.sequence == first.sequence)
        #expect(other.sequence == first.sequence + 1)

        await #expect(throws: NatsError.self) {
            try await jetStream.publish(nats.subject("not-in-any-stream"), payload: Data())
        }
    }

    @Test("a publish JetStream refuses fails with its reason; no stream on the subject is noResponders")
    func refusals() async throws {
        let nats = try await TestNats.connect()
        let (jetStream, _) = try await Self.stream(nats)
        var headers = NatsHeaders()
        headers.add("Nats-Expected-Stream", "SOME_OTHER_STREAM")
        do {
            _ = try await jetStream.publish(nats.subject("events.a"), payload: Data("1".utf8), headers: headers)
            Issue.record("JetStream stored a message meant for another stream")
        } catch {
            #expect(error.code == .jetStream)
            #expect(error.message.contains("10060"), "JetStream's error code: \(error.message)")
        }
        do {
            _ = try await jetStream.publish(nats.subject("not-in-any-stream"), payload: Data())
            Issue.record("published to a subject no stream takes")
        } catch {
            #expect(error.code == .noResponders)
        }
    }

    @Test("a JetStream acknowledgement is read with and without its optional parts; anything else is refused")
    func acknowledgements() throws {
        let stored = try PublishAck(reply: Data(#"{"stream":"S","seq":7}"#.utf8), subject: "a")
        #expect(stored == PublishAck(stream: "S", sequence: 7, duplicate: false))
        let again = try PublishAck(reply: Data(#"{"stream":"S","domain":"hub","seq":7,"duplicate":true}"#.utf8), subject: "a")
        #expect(again.duplicate)
        for reply in [#"{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}"#, #"{"seq":1}"#, "+OK"] {
            #expect(throws: NatsError.self, "\(reply)") { try PublishAck(reply: Data(reply.utf8), subject: "a") }
        }
    }

    @Test("a pull consumer acks, naks with a delay (redelivered), terms (never again) and stops at max-deliver")
    func pullConsumer() async throws {
        let nats = try await TestNats.connect()
        let (jetStream, settings) = try await Self.stream(nats)
        for name in ["ack", "nak", "term", "poison"] {
            _ = try await jetStream.publish(nats.subject("events.\(name)"), payload: Data(name.utf8), messageID: name)
        }
        let consumer = try await jetStream.pullConsumer(
            PullConsumerSettings(
                stream: settings.name, durableName: "worker", filterSubject: nats.subject("events.>"), maxDeliver: 3,
                ackWait: .seconds(30), maxInFlight: 4))

        var deliveries: [String: [Int]] = [:]
        var naked = Date.distantPast
        var redeliveredAfter: TimeInterval = 0
        let deadline = ContinuousClock.now + .seconds(10)
        for await message in consumer {
            let name = String(decoding: message.payload, as: UTF8.self)
            deliveries[name, default: []].append(message.deliveryCount)
            #expect(message.headers["Nats-Msg-Id"] == name)
            switch name {
            case "ack": try message.ack()
            case "term": try message.term()
            case "nak":
                if message.deliveryCount == 1 {
                    naked = Date()
                    try message.nak(delay: .milliseconds(300))
                } else {
                    redeliveredAfter = Date().timeIntervalSince(naked)
                    try message.ack()
                }
            default:
                // Always failing: JetStream gives up after max-deliver.
                try message.nak(delay: .milliseconds(10))
            }
            #expect(throws: NatsError.self) { try message.ack() }
            if deliveries["nak"]?.count == 2 && deliveries["poison"]?.count == 3 { break }
            if ContinuousClock.now > deadline { break }
        }
        #expect(deliveries["ack"] == [1])
        #expect(deliveries["term"] == [1])
        #expect(deliveries["nak"] == [1, 2])
        #expect(redeliveredAfter >= 0.25)
        #expect(deliveries["poison"] == [1, 2, 3])
        await consumer.stop()

        // All settled: the durable has nothing left to deliver, nor anything out waiting for an answer.
        struct Info: Decodable {
            let num_pending: Int
            let num_ack_pending: Int
        }
        _ = try await eventually("the durable idle") {
            let reply = try await nats.connection.request("$JS.API.CONSUMER.INFO.\(settings.name).worker", timeout: .seconds(5))
            let info = try JSONDecoder().decode(Info.self, from: reply.payload)
            return info.num_pending == 0 && info.num_ack_pending == 0 ? true : nil
        }
    }

    @Test("key-value: get, put, delete and a watch that sees current values, catches up, then follows changes")
    func keyValue() async throws {
        let nats = try await TestNats.connect()
        let jetStream = try nats.connection.jetStream()
        let bucket = try await jetStream.keyValue(KeyValueSettings(bucket: nats.prefix + "_kv"))
        #expect(try await bucket.get("missing") == nil)
        try await bucket.put("a", Data("1".utf8))
        try await bucket.put("a", Data("2".utf8))
        #expect(try await bucket.get("a") == Data("2".utf8))

        let watch = try await bucket.watchAll()
        var iterator = watch.makeAsyncIterator()
        let first = await iterator.next()
        guard case .entry(let entry) = first else {
            Issue.record("expected the current value first, got \(String(describing: first))")
            return
        }
        #expect(entry.key == "a")
        #expect(entry.value == Data("2".utf8))
        #expect(await iterator.next() == .caughtUp)

        let other = try await nats.anotherConnection()
        let sameBucket = try await other.jetStream().keyValue(KeyValueSettings(bucket: nats.prefix + "_kv"))
        try await sameBucket.put("b", Data("3".utf8))
        guard case .entry(let put) = await iterator.next() else {
            Issue.record("expected the new value")
            return
        }
        #expect(put.key == "b")
        #expect(put.operation == .put)
        try await sameBucket.delete("a")
        guard case .entry(let deleted) = await iterator.next() else {
            Issue.record("expected the delete")
            return
        }
        #expect(deleted.key == "a")
        #expect(deleted.operation == .delete)
        #expect(try await bucket.get("a") == nil)
        watch.stop()
        await other.drain()
    }
}
