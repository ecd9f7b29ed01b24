import Foundation
import Logging
import Synchronization
import Testing
@testable import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

/// The messaging layer on a real three-server cluster: replicas as configured, and a connection
/// that outlives the server it was on.
@Suite("NATS cluster: replicas, fail-over of requests, pull consumers and bucket watches", .serialized)
struct NatsClusterTests {
    static func startCluster() async throws -> NatsCluster {
        let cluster = try NatsCluster()
        try await cluster.start()
        return cluster
    }

    static func connect(_ cluster: NatsCluster, _ name: String) async throws -> NatsConnection {
        var logger = Logger(label: name)
        logger.logLevel = .critical
        return try await NatsConnection.connect(cluster.harnessOptions(name: name), logger: logger)
    }

    /// One section of what a JetStream info request (`$JS.API.….INFO.…`) answers.
    static func info(_ subject: String, _ section: String, on connection: NatsConnection) async throws -> [String: Any]? {
        let reply = try await connection.request(subject, timeout: .seconds(5))
        let info = try JSONSerialization.jsonObject(with: reply.payload) as? [String: Any]
        return info?[section] as? [String: Any]
    }

    /// Takes every job the consumer hands out, noting its payload, and acknowledges it.
    static func work(through consumer: PullConsumer, into received: ReceivedJobs) -> Task<Void, Never> {
        Task {
            for await message in consumer {
                received.add(String(decoding: message.payload, as: UTF8.self))
                try? message.ack()
            }
        }
    }

    /// `config.num_replicas` of a stream, as JetStream reports it.
    static func replicas(of stream: String, on connection: NatsConnection) async throws -> Int? {
        try await info("$JS.API.STREAM.INFO.\(stream)", "config", on: connection)?["num_replicas"] as? Int
    }

    /// The leader of a consumer, as JetStream reports it.
    static func leader(of consumer: String, in stream: String, on connection: NatsConnection) async throws -> String? {
        try await info("$JS.API.CONSUMER.INFO.\(stream).\(consumer)", "cluster", on: connection)?["leader"] as? String
    }

    @Test("streams and buckets get the replicas asked; an existing one is brought to the new count and says so")
    func replicas() async throws {
        let cluster = try await Self.startCluster()
        defer { cluster.stop() }
        let connection = try await Self.connect(cluster, "replicas")
        let jetStream = try connection.jetStream()
        var settings = StreamSettings(name: "EVENTS", subjects: ["events.>"], replicas: 1)
        #expect(try await jetStream.createOrUpdateStream(settings) == [])
        #expect(try await Self.replicas(of: "EVENTS", on: connection) == 1)
        settings.replicas = 3
        #expect(try await jetStream.createOrUpdateStream(settings) == ["replicas 1 → 3"])
        #expect(try await Self.replicas(of: "EVENTS", on: connection) == 3)
        #expect(try await jetStream.createOrUpdateStream(settings) == [], "already so: nothing to change")

        _ = try await jetStream.keyValue(KeyValueSettings(bucket: "grants", replicas: 1))
        #expect(try await Self.replicas(of: "KV_grants", on: connection) == 1)
        let bucket = try await jetStream.keyValue(KeyValueSettings(bucket: "grants", replicas: 3))
        #expect(try await Self.replicas(of: "KV_grants", on: connection) == 3)
        // The bucket's stream moves to a group of three servers: a moment without a leader.
        _ = try await eventually("a put once the bucket has its three copies") { try? await bucket.put("k", Data("v".utf8)) }
        #expect(try await bucket.get("k") == Data("v".utf8))
        await connection.drain()
    }

    /// The server holding a one-copy stream, as JetStream reports it.
    static func leader(of stream: String, on connection: NatsConnection) async throws -> String? {
        let reply = try await connection.request("$JS.API.STREAM.INFO.\(stream)", timeout: .seconds(5))
        let info = try JSONSerialization.jsonObject(with: reply.payload) as? [String: Any]
        return (info?["cluster"] as? [String: Any])?["leader"] as? String
    }

    @Test("placement tags put a stream and a bucket on the servers tagged so, and moving the tags moves them")
    func placement() async throws {
        let cluster = try NatsCluster(tags: [["zone:a"], ["zone:b"], ["zone:c"]])
        try await cluster.start()
        defer { cluster.stop() }
        let connection = try await Self.connect(cluster, "placement")
        let jetStream = try connection.jetStream()
        var settings = StreamSettings(name: "PLACED", subjects: ["placed.>"], placementTags: ["zone:b"])
        #expect(try await jetStream.createOrUpdateStream(settings) == [])
        #expect(try await Self.leader(of: "PLACED", on: connection) == "node-2")
        settings.placementTags = ["zone:c"]
        #expect(try await jetStream.createOrUpdateStream(settings) == [#"placement tags ["zone:b"] → ["zone:c"]"#])
        _ = try await eventually("the stream moved to node-3", timeout: .seconds(30), every: .milliseconds(200)) {
            try? await Self.leader(of: "PLACED", on: connection) == "node-3" ? true : nil
        }
        _ = try await jetStream.keyValue(KeyValueSettings(bucket: "placed", placementTags: ["zone:a"]))
        _ = try await eventually("the bucket on node-1", timeout: .seconds(30), every: .milliseconds(200)) {
            try? await Self.leader(of: "KV_placed", on: connection) == "node-1" ? true : nil
        }
        await connection.drain()
    }

    @Test("a single server refuses more than one replica with JetStream's reason")
    func singleServer() async throws {
        let nats = try await TestNats.connect()
        let settings = StreamSettings(name: nats.prefix.uppercased() + "_R3", subjects: [nats.subject("r3.>")], replicas: 3)
        do {
            try await nats.connection.jetStream().createOrUpdateStream(settings)
            Issue.record("a single server took a stream of three replicas")
        } catch {
            #expect(error.message.contains("replicas"), "\(error)")
        }
    }

    @Test("when its server is killed, a connection given every server moves to another: requests, a pull consumer and a bucket watch carry on")
    func failOver() async throws {
        let cluster = try await Self.startCluster()
        defer { cluster.stop() }
        let responder = try await Self.connect(cluster, "responder")
        let client = try await Self.connect(cluster, "client")
        let jetStream = try client.jetStream()
        try await jetStream.createOrUpdateStream(StreamSettings(name: "JOBS", subjects: ["jobs.>"], replicas: 3))
        let bucket = try await jetStream.keyValue(KeyValueSettings(bucket: "state", replicas: 3))
        let consumer = try await jetStream.pullConsumer(
            PullConsumerSettings(stream: "JOBS", durableName: "workers", filterSubject: "jobs.>", ackWait: .seconds(2)))

        let echoes = try responder.subscribe("echo", queueGroup: "echoes")
        try await responder.flush()
        let answers = Task {
            for await message in echoes {
                if let reply = message.replyTo { try? responder.publish(reply, payload: message.payload) }
            }
        }
        defer { answers.cancel() }
        let received = ReceivedJobs()
        let work = Self.work(through: consumer, into: received)
        defer { work.cancel() }
        // As the services watch a bucket: a watch that ends or stalls is opened anew.
        let seen = ReceivedJobs()
        let watchLogger = {
            var logger = Logger(label: "bucket-watch")
            logger.logLevel = .critical
            return logger
        }()
        let watching = Task {
            await BucketWatch(jetStream: jetStream, settings: KeyValueSettings(bucket: "state", replicas: 3), logger: watchLogger)
                .run(apply: { seen.add($0.key) }, caughtUp: {})
        }
        defer { watching.cancel() }

        _ = try await jetStream.publish("jobs.a", payload: Data("before".utf8))
        try await bucket.put("before", Data())
        _ = try await eventually("the job and the key before the kill") {
            received.contains("before") && seen.contains("before") ? true : nil
        }

        _ = try await eventually("a request answered before the kill") {
            try? await client.request("echo", payload: Data("x".utf8), timeout: .milliseconds(500))
        }
        let url = try #require(client.connectedURL)
        let victim = try #require(cluster.servers.first { url.hasSuffix(":\($0.port)") })
        victim.kill()
        let killed = ContinuousClock.now
        // Everything below goes through another server once the client has moved.
        _ = try await eventually("a request answered after the kill", timeout: .seconds(20), every: .milliseconds(50)) {
            try? await client.request("echo", payload: Data("x".utf8), timeout: .milliseconds(500))
        }
        let recovered = ContinuousClock.now - killed
        #expect(client.connectedURL != url)
        _ = try await eventually("a publish stored after the kill", timeout: .seconds(20), every: .milliseconds(100)) {
            try? await jetStream.publish("jobs.a", payload: Data("after".utf8), messageID: "after")
        }
        _ = try await eventually("a put stored after the kill", timeout: .seconds(20), every: .milliseconds(100)) {
            try? await bucket.put("after", Data())
        }
        _ = try await eventually("the consumer after the kill", timeout: .seconds(30)) {
            received.contains("after") ? true : nil
        }
        let consumed = ContinuousClock.now - killed
        _ = try await eventually("the watch after the kill", timeout: .seconds(30)) {
            seen.contains("after") ? true : nil
        }
        print("fail-over: requests back after \(recovered), the consumer's job after \(consumed), the watch's key after \(ContinuousClock.now - killed)")
        #expect(recovered < .seconds(5), "requests came back after \(recovered)")
        watching.cancel()
        await client.drain()
        await responder.drain()
    }

    @Test("what a stalled consumer does: its leader, asked to step down, hands over to another server and the consumer carries on")
    func leaderStepDown() async throws {
        let cluster = try await Self.startCluster()
        defer { cluster.stop() }
        let client = try await Self.connect(cluster, "client")
        let jetStream = try client.jetStream()
        try await jetStream.createOrUpdateStream(StreamSettings(name: "JOBS", subjects: ["jobs.>"], replicas: 3))
        let consumer = try await jetStream.pullConsumer(
            PullConsumerSettings(stream: "JOBS", durableName: "workers", filterSubject: "jobs.>", ackWait: .seconds(2)))
        let received = ReceivedJobs()
        let work = Self.work(through: consumer, into: received)
        defer { work.cancel() }
        let before = try await eventually("the consumer's leader elected") {
            try await Self.leader(of: "workers", in: "JOBS", on: client)
        }
        try await BlockingCalls.run { () throws(NatsError) in
            try jetStream.stepDownLeader(stream: "JOBS", consumer: "workers")
        }
        let after = try await eventually("another leader elected", timeout: .seconds(20)) { () -> String? in
            guard let leader = try? await Self.leader(of: "workers", in: "JOBS", on: client), leader != before else { return nil }
            return leader
        }
        #expect(after != before)
        _ = try await jetStream.publish("jobs.a", payload: Data("after the step-down".utf8))
        _ = try await eventually("the job handed out by the new leader", timeout: .seconds(20)) {
            received.contains("after the step-down") ? true : nil
        }
        // A consumer that does not exist: JetStream's refusal, not a hang.
        #expect(throws: NatsError.self) {
            try jetStream.stepDownLeader(stream: "JOBS", consumer: "nobody")
        }
        await consumer.stop()
        await client.drain()
    }
}

/// What a consumer or a watch received, read from the test.
final class ReceivedJobs: Sendable {
    private let items = Mutex<Set<String>>([])
    func add(_ item: String) { items.withLock { _ = $0.insert(item) } }
    func contains(_ item: String) -> Bool { items.withLock { $0.contains(item) } }
}
