import Foundation
import Testing
import TollgateConfig
import TollgateHTTPServer
import TollgateTestSupport
import WebhookService

@Suite("Slow and idle clients are cut off")
struct SlowClientTests {
    /// Short deadlines, so the test sees each one pass: headers 1 s, body 2 s, idle 2 s.
    static var options: TestSystem.Options {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_HTTP_HEADER_TIMEOUT"] = "1"
        options.environment["TOLLGATE_HTTP_BODY_TIMEOUT"] = "2"
        options.environment["TOLLGATE_HTTP_IDLE_TIMEOUT"] = "2"
        return options
    }

    static func closed(_ connection: RawTCPConnection, within seconds: Int) async throws -> Duration {
        let started = ContinuousClock.now
        _ = try await eventually("the server closes the connection", timeout: .seconds(seconds), every: .milliseconds(50)) {
            connection.isClosed ? true : nil
        }
        return ContinuousClock.now - started
    }

    /// Sends `text` a byte at a time, one every `gap`, until the connection closes.
    static func trickle(_ text: String, on connection: RawTCPConnection, every gap: Duration) async {
        for character in text {
            guard !connection.isClosed else { return }
            try? await connection.write(String(character))
            try? await Task.sleep(for: gap)
        }
    }

    @Test("silent connections, headers a byte at a time, endless bodies and idle keep-alives are closed; others are served meanwhile",
          arguments: ["gateway", "webhook"])
    func slowClients(listener: String) async throws {
        try await TestSystem.with(Self.options) { system in
            let port = listener == "gateway" ? system.gatewayPort : system.webhookPort
            let post = listener == "gateway" ? "/login" : WebhookService.path

            var silent: [RawTCPConnection] = []
            for _ in 0..<150 { silent.append(try await RawTCPConnection.open(port: port)) }
            let slowHead = try await RawTCPConnection.open(port: port)
            let headTrickle = Task { await Self.trickle("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "a", count: 200))\r\n\r\n", on: slowHead, every: .milliseconds(100)) }
            let slowBody = try await RawTCPConnection.open(port: port)
            try await slowBody.write("POST \(post) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            let bodyTrickle = Task { await Self.trickle(String(repeating: " ", count: 999), on: slowBody, every: .milliseconds(100)) }
            let keptAlive = try await RawTCPConnection.open(port: port)
            try await keptAlive.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")

            // Everyone else is served while these hang on.
            for _ in 0..<5 {
                #expect(try await GatewayClient(port: port).get("/healthz").status == 200)
            }

            let headWait = try await Self.closed(slowHead, within: 4)
            #expect(headWait < .seconds(3), "headers are due within 1 s of the first byte")
            for connection in silent { _ = try await Self.closed(connection, within: 4) }
            _ = try await Self.closed(slowBody, within: 5)
            _ = try await eventually("the kept-alive request was answered") { keptAlive.text.contains("200 OK") ? true : nil }
            _ = try await Self.closed(keptAlive, within: 5)
            headTrickle.cancel()
            bodyTrickle.cancel()
            #expect(try await GatewayClient(port: port).get("/healthz").status == 200)
        }
    }

    @Test("defaults: 10 s for headers, 30 s for a body, 60 s idle; each configurable within bounds")
    func defaults() throws {
        var reader = EnvironmentReader([:])
        #expect(HTTPTimeouts.read(&reader) == HTTPTimeouts(headerRead: .seconds(10), bodyRead: .seconds(30), keepAliveIdle: .seconds(60)))
        var custom = EnvironmentReader(["TOLLGATE_HTTP_HEADER_TIMEOUT": "5", "TOLLGATE_HTTP_BODY_TIMEOUT": "20", "TOLLGATE_HTTP_IDLE_TIMEOUT": "30"])
        #expect(HTTPTimeouts.read(&custom) == HTTPTimeouts(headerRead: .seconds(5), bodyRead: .seconds(20), keepAliveIdle: .seconds(30)))
        var bad = EnvironmentReader(["TOLLGATE_HTTP_HEADER_TIMEOUT": "0"])
        _ = HTTPTimeouts.read(&bad)
        #expect(throws: (any Error).self) { try bad.finish() }
    }
}
