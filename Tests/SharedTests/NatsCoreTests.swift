import Foundation
import Logging
import Synchronization
import Testing
import TollgateMessaging
import TollgateTestSupport

@Suite("NATS core: publish, subscribe, request/reply")
struct NatsCoreTests {
    @Test("a published message arrives with its subject, payload and every header value")
    func publishSubscribe() async throws {
        let nats = try await TestNats.connect()
        let subscription = try nats.connection.subscribe(nats.subject("greet"))
        try await nats.connection.flush()
        var headers = NatsHeaders()
        headers.add("Set-Cookie", "a=1")
        headers.add("Set-Cookie", "b=2")
        headers["Tollgate-Method"] = "POST"
        try nats.connection.publish(nats.subject("greet"), payload: Data("héllo".utf8), headers: headers)
        var iterator = subscription.makeAsyncIterator()
        let message = try #require(await iterator.next())
        #expect(message.subject == nats.subject("greet"))
        #expect(String(decoding: message.payload, as: UTF8.self) == "héllo")
        #expect(message.headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(message.headers["tollgate-method"] == "POST")
    }

    @Test("a header value with a line break is refused before it reaches the wire")
    func headerInjection() async throws {
        let nats = try await TestNats.connect()
        var headers = NatsHeaders()
        headers["X"] = "ok\r\nTollgate-Principal-User: admin"
        #expect(throws: NatsError.self) { try nats.connection.publish(nats.subject("x"), headers: headers) }
    }

    @Test("a queue group shares messages: each goes to exactly one member")
    func queueGroup() async throws {
        let nats = try await TestNats.connect()
        let other = try await nats.anotherConnection()
        let first = try nats.connection.subscribe(nats.subject("work"), queueGroup: "workers")
        let second = try other.subscribe(nats.subject("work"), queueGroup: "workers")
        try await nats.connection.flush()
        try await other.flush()
        for index in 0..<200 { try nats.connection.publish(nats.subject("work"), payload: Data("\(index)".utf8)) }
        try await nats.connection.flush()

        let total = Tally()
        let counts = await withTaskGroup(of: [String].self) { group in
            for subscription in [first, second] {
                group.addTask {
                    var seen: [String] = []
                    for await message in subscription {
                        seen.append(String(decoding: message.payload, as: UTF8.self))
                        total.count.add(1, ordering: .relaxed)
                    }
                    return seen
                }
            }
            // Both streams stay open; end them once all 200 have arrived (or a generous deadline).
            _ = try? await eventually("200 messages", timeout: .seconds(10)) {
                total.count.load(ordering: .relaxed) >= 200 ? true : nil
            }
            first.unsubscribe()
            second.unsubscribe()
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = counts.flatMap { $0 }
        #expect(all.count == 200)
        #expect(Set(all).count == 200)
        #expect(counts.allSatisfy { !$0.isEmpty })
        await other.drain()
    }

    @Test("request/reply returns the reply; no listener is noResponders; silence is a timeout")
    func requestReply() async throws {
        let nats = try await TestNats.connect()
        let responder = try await nats.anotherConnection()
        let requests = try responder.subscribe(nats.subject("echo"), queueGroup: "echo")
        try await responder.flush()
        let serving = Task {
            for await request in requests {
                guard let reply = request.replyTo else { continue }
                var headers = NatsHeaders()
                headers["Tollgate-Status"] = "201"
                try? responder.publish(reply, payload: request.payload + Data("!".utf8), headers: headers)
            }
        }
        let reply = try await nats.connection.request(nats.subject("echo"), payload: Data("hi".utf8), timeout: .seconds(2))
        #expect(String(decoding: reply.payload, as: UTF8.self) == "hi!")
        #expect(reply.headers["Tollgate-Status"] == "201")

        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let reply = try await nats.connection.request(
                        nats.subject("echo"), payload: Data("\(index)".utf8), timeout: .seconds(5))
                    return String(decoding: reply.payload, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(replies == Set((0..<50).map { "\($0)!" }))

        await #expect(throws: NatsError.noResponders) {
            try await nats.connection.request(nats.subject("nobody"), timeout: .seconds(2))
        }
        let silent = try responder.subscribe(nats.subject("silent"))
        try await responder.flush()
        let started = ContinuousClock.now
        await #expect(throws: NatsError.timeout) {
            try await nats.connection.request(nats.subject("silent"), timeout: .milliseconds(200))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        silent.unsubscribe()
        serving.cancel()
        requests.unsubscribe()
        await responder.drain()
    }

    @Test("closing on purpose is not reported as a lost connection; losing the server is")
    func disconnectionWarnings() async throws {
        let server = try NatsServerProcess()
        try await server.start()
        let warnings = CapturedWarnings()
        let logger = Logger(label: "nats-test") { _ in warnings }
        let closedOnPurpose = try await NatsConnection.connect(server.harnessOptions(name: "on-purpose"), logger: logger)
        await closedOnPurpose.drain()
        // An absence (a warning libnats' closed callback must not lead to): no event marks its end.
        try await Task.sleep(for: .milliseconds(200))
        #expect(warnings.messages.isEmpty, "\(warnings.messages)")

        let lost = try await NatsConnection.connect(server.harnessOptions(name: "lost"), logger: logger)
        server.stop()
        let reported = try await eventually("a warning") { warnings.messages.contains("disconnected from NATS") ? true : nil }
        #expect(reported)
        await lost.drain(timeout: .milliseconds(100))
    }

    @Test("a bucket watch whose server is gone stops at once: deleting its consumer there is left to its own thread")
    func watchStopsWithoutServer() async throws {
        let server = try NatsServerProcess()
        try await server.start()
        let connection = try await NatsConnection.connect(server.harnessOptions(name: "watcher"), logger: Logger(label: "nats-test"))
        let bucket = try await connection.jetStream().keyValue(KeyValueSettings(bucket: "orphan"))
        try await bucket.put("a", Data("1".utf8))
        let watch = try await bucket.watchAll()
        let caughtUp = AsyncStream.makeStream(of: Void.self)
        let reading = Task {
            for await update in watch where update == .caughtUp { caughtUp.continuation.yield() }
        }
        var signals = caughtUp.stream.makeAsyncIterator()
        _ = await signals.next()
        server.kill()
        try await eventually("the connection noticed") { connection.isConnected ? nil : true }
        let stopping = ContinuousClock.now
        reading.cancel()
        await reading.value
        let stopped = ContinuousClock.now - stopping
        // Stopping it there and then waited out JetStream's 5 s timeout for the consumer's deletion.
        #expect(stopped < .seconds(1), "the watch stopped after \(stopped)")
        await connection.drain(timeout: .milliseconds(100))
    }

    @Test("a subscription drained after its server is gone still ends, within the drain timeout")
    func drainWithoutServer() async throws {
        let server = try NatsServerProcess()
        try await server.start()
        let connection = try await NatsConnection.connect(server.harnessOptions(name: "orphan"), logger: Logger(label: "nats-test"))
        let subscription = try connection.subscribe("orphan.subject")
        let ended = Task {
            for await _ in subscription {}
            return ContinuousClock.now
        }
        server.kill()
        try await Task.sleep(for: .milliseconds(200))
        let drained = ContinuousClock.now
        subscription.drain()
        // Bounded: a drain that never ends fails the test after 15 s instead of hanging it.
        let end = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            group.addTask { await ended.value }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                throw CancellationError()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        #expect(end - drained < NatsSubscription.drainTimeout + .seconds(2), "ended \(end - drained) after the drain")
        await connection.drain(timeout: .milliseconds(100))
    }

    /// Keeps the warnings (and worse) a logger is given.
    final class CapturedWarnings: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [String] = []
        var messages: [String] { lock.withLock { kept } }
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            lock.withLock { kept.append(message.description) }
        }
    }

    @Test("100k messages, twice, through subscriptions and request/reply leave memory flat (each natsMsg destroyed once)")
    func memoryStaysFlat() async throws {
        let nats = try await TestNats.connect()
        let responder = try await nats.anotherConnection()
        let requests = try responder.subscribe(nats.subject("mem.echo"), queueGroup: "mem")
        let sink = try responder.subscribe(nats.subject("mem.sink"))
        try await responder.flush()
        let serving = Task {
            for await request in requests {
                if let reply = request.replyTo { try? responder.publish(reply, payload: request.payload) }
            }
        }
        let payload = Data(repeating: 7, count: 256)
        var headers = NatsHeaders()
        headers["Tollgate-Request-ID"] = "memory-test"

        // The first round reaches the steady state (buffers, malloc arenas); the next two must not
        // grow it. A leaked message (256-byte payload plus headers and bookkeeping) would cost over
        // 40 MB in each; the other suites running in this process meanwhile move the figure too
        // (26 MB seen once), but not in both rounds alike, so the smaller growth is the one judged.
        try await Self.pump(100_000, nats: nats, sink: sink, payload: payload, headers: headers)
        var growths: [Int] = []
        for _ in 0..<2 {
            let before = ResidentMemory.bytes()
            try await Self.pump(100_000, nats: nats, sink: sink, payload: payload, headers: headers)
            growths.append(ResidentMemory.bytes() - before)
        }
        let smaller = growths.min() ?? 0
        #expect(smaller < 24 * 1024 * 1024, "resident memory grew by \(growths.map { $0 / 1024 }) KiB")
        serving.cancel()
        requests.unsubscribe()
        sink.unsubscribe()
        await responder.drain()
    }

    /// Half publish/subscribe, half request/reply with 64 requests in flight.
    static func pump(_ count: Int, nats: TestNats, sink: NatsSubscription, payload: Data, headers: NatsHeaders)
        async throws
    {
        let received = Task {
            var seen = 0
            for await _ in sink {
                seen += 1
                if seen == count / 2 { break }
            }
            return seen
        }
        for _ in 0..<(count / 2) {
            try nats.connection.publish(nats.subject("mem.sink"), payload: payload, headers: headers)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<64 {
                group.addTask {
                    for _ in stride(from: worker, to: count / 2, by: 64) {
                        _ = try await nats.connection.request(
                            nats.subject("mem.echo"), payload: payload, headers: headers, timeout: .seconds(10))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await received.value == count / 2)
    }
}

/// A counter shared by concurrent tasks.
final class Tally: Sendable {
    let count = Atomic<Int>(0)
}
