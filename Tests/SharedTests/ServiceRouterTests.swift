import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

@Suite("Service router: bounded work, late work dropped")
struct ServiceRouterTests {
    /// A door handlers wait at until the test opens it.
    final class Door: Sendable {
        private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let open = Mutex(false)
        let arrivals = Atomic<Int>(0)

        func wait() async {
            arrivals.add(1, ordering: .relaxed)
            await withCheckedContinuation { continuation in
                let isOpen = open.withLock { $0 }
                if isOpen { continuation.resume() } else { waiting.withLock { $0.append(continuation) } }
            }
        }

        func openUp() {
            open.withLock { $0 = true }
            for continuation in waiting.withLock({ list in defer { list = [] }; return list }) { continuation.resume() }
        }
    }

    static func serve(
        _ nats: TestNats, maxInFlight: Int, clock: TimeSource = TimeSource(), configure: (ServiceRouter) -> Void
    ) -> Task<Void, any Error> {
        let router = ServiceRouter(
            connection: nats.connection, service: .auth, subjects: Subjects(prefix: nats.prefix), logger: Logger(label: "test"),
            maxInFlight: maxInFlight, clock: clock)
        configure(router)
        return Task { try await router.run() }
    }

    static func status(_ reply: NatsMessage) -> Int? { ReplyEnvelope(natsHeaders: reply.headers)?.status }

    @Test("a full service answers 503 with Retry-After at once, and the requests it took still finish")
    func full() async throws {
        let nats = try await TestNats.connect()
        let door = Door()
        let serving = Self.serve(nats, maxInFlight: 2) { router in
            router.on(nats.subject("slow")) { _ in
                await door.wait()
                return .json(200, ["ok": true])
            }
        }
        defer { serving.cancel() }
        try await eventually("the router subscribed") {
            try? await nats.connection.request(nats.subject("ping.auth"), timeout: .milliseconds(200))
        }
        async let first = nats.connection.request(nats.subject("slow"), timeout: .seconds(10))
        async let second = nats.connection.request(nats.subject("slow"), timeout: .seconds(10))
        try await eventually("two requests at the door") { door.arrivals.load(ordering: .relaxed) == 2 ? true : nil }

        let refused = try await nats.connection.request(nats.subject("slow"), timeout: .seconds(2))
        #expect(Self.status(refused) == 503)
        #expect(refused.headers["Retry-After"] == "1")
        #expect(String(decoding: refused.payload, as: UTF8.self).contains("busy"))
        #expect(door.arrivals.load(ordering: .relaxed) == 2)

        door.openUp()
        #expect(Self.status(try await first) == 200)
        #expect(Self.status(try await second) == 200)
        // Room again once they finished.
        #expect(Self.status(try await nats.connection.request(nats.subject("slow"), timeout: .seconds(2))) == 200)
    }

    @Test("with its NATS server gone, a router and its connection stop at once instead of draining through nobody")
    func stopsWithoutServer() async throws {
        let server = try NatsServerProcess()
        try await server.start()
        defer { server.stop() }
        let logger = Logger(label: "router-without-server")
        let connection = try await NatsConnection.connect(server.harnessOptions(name: "router"), logger: logger)
        let router = ServiceRouter(
            connection: connection, service: .auth, subjects: Subjects(prefix: "alone"), logger: logger, maxInFlight: 4,
            clock: TimeSource())
        router.on("alone.work") { _ in .json(200, ["ok": true]) }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: router)], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        let answered = try await eventually("the router serving") {
            try? await connection.request("alone.work", timeout: .milliseconds(200))
        }
        #expect(Self.status(answered) == 200)

        server.kill()
        try await eventually("the connection noticed") { connection.isConnected ? nil : true }
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let routerStopped = ContinuousClock.now - stopping
        await connection.drain()
        let connectionClosed = ContinuousClock.now - stopping
        // Draining through a server that is gone took the subscriptions' drain timeout (5 s) before.
        #expect(routerStopped < .seconds(1), "the router stopped after \(routerStopped)")
        #expect(connectionClosed < .seconds(1), "the connection closed after \(connectionClosed)")
    }

    @Test("work a request's caller stopped waiting for is not done, and gets no answer")
    func late() async throws {
        let nats = try await TestNats.connect()
        let door = Door()
        let outcomes = Mutex<[String]>([])
        let clock = TimeSource()
        let serving = Self.serve(nats, maxInFlight: 10, clock: clock) { router in
            router.on(nats.subject("work")) { request in
                await door.wait()
                do {
                    try RequestDeadline.check()
                } catch {
                    outcomes.withLock { $0.append("dropped \(request.requestID ?? "")") }
                    throw error
                }
                outcomes.withLock { $0.append("done \(request.requestID ?? "")") }
                return .json(200, ["ok": true])
            }
        }
        defer { serving.cancel() }
        try await eventually("the router subscribed") {
            try? await nats.connection.request(nats.subject("ping.auth"), timeout: .milliseconds(200))
        }

        let patient = RequestEnvelope(method: "POST", path: "/work", requestID: "patient", budget: .seconds(30))
        let hasty = RequestEnvelope(method: "POST", path: "/work", requestID: "hasty", budget: .milliseconds(100))
        async let patientReply = nats.connection.request(
            nats.subject("work"), headers: patient.natsHeaders, timeout: .seconds(30))
        await #expect(throws: NatsError.self) {
            try await nats.connection.request(nats.subject("work"), headers: hasty.natsHeaders, timeout: .milliseconds(100))
        }
        try await eventually("both requests at the door") { door.arrivals.load(ordering: .relaxed) == 2 ? true : nil }
        clock.advance(by: .seconds(1))  // past the hasty one's budget, well within the patient one's
        door.openUp()
        #expect(Self.status(try await patientReply) == 200)
        let seen = try await eventually("both requests came out of the door") {
            let list = outcomes.withLock { $0 }
            return list.count == 2 ? Set(list) : nil
        }
        #expect(seen == ["done patient", "dropped hasty"])
    }
}
