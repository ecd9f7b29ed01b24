import AsyncHTTPClient
import Crypto
import Foundation
import GatewayService
import HTTPTypes
import Hummingbird
import NIOCore
import StripeSandbox
import Testing
import TollgateSecurity
import TollgateTestSupport

/// The team's own app behind the gateway: a Hummingbird server in the test process as the
/// upstream, reached through routes of gateway.yaml, as a client would call them.
@Suite("Upstream routes: the team's own HTTP app behind the gateway")
struct UpstreamRouteTests {
    /// The app: `/stream` answers in two pieces 800 ms apart, `/slow` after 2 s, `/created` 201, and
    /// anything else echoes what it received (method, path, query, headers, body length) as JSON.
    static func startApp() async -> LocalHTTPServer {
        let app = await LocalHTTPServer.start(label: "upstream-app")
        app.answer { request in
            switch request.uri.path {
            case "/stream":
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "first\n"))
                        try await Task.sleep(for: .milliseconds(800))
                        try await writer.write(ByteBuffer(string: "second\n"))
                        try await writer.finish(nil)
                    })
            case "/slow":
                try await Task.sleep(for: .seconds(2))
                return Response(status: .ok)
            default:
                let body = try await request.body.collect(upTo: 10 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName, default: ""] += (headers[field.name.canonicalName] == nil ? "" : ", ") + field.value }
                let echo: [String: Any] = [
                    "method": request.method.rawValue, "path": request.uri.path, "query": request.uri.query ?? "",
                    "headers": headers, "length": body.readableBytes,
                ]
                var answerHeaders: HTTPFields = [.contentType: "application/json"]
                answerHeaders[HTTPField.Name("X-App")!] = "yes"
                return Response(
                    status: request.uri.path.hasSuffix("/created") ? .created : .ok, headers: answerHeaders,
                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: echo))))
            }
        }
        return app
    }

    static func routes(app: Int, closed: Int) -> [RoutesFile.Route] {
        let base = "http://127.0.0.1:\(app)"
        return [
            .init(method: "GET", path: "/app/*", upstream: base, auth: .user),
            .init(method: "POST", path: "/app/*", upstream: base, auth: .user),
            .init(method: "GET", path: "/open/*", upstream: base + "/echo", auth: .public),
            .init(method: "GET", path: "/authz", upstream: base + "/echo", auth: .user, forwardAuthorization: true),
            .init(method: "GET", path: "/slow", upstream: base, auth: .public, timeoutSeconds: 0.5),
            .init(method: "GET", path: "/down", upstream: "http://127.0.0.1:\(closed)", auth: .public),
            .init(method: "GET", path: "/stream", upstream: base, auth: .public),
            .init(method: "GET", path: "/pro/*", upstream: base, auth: .user, tier: 1),
        ]
    }

    @Test("identity headers arrive and spoofed ones do not; paths, queries, bodies and answers pass; 401, 402, 413, 502 and 504 as the contract says")
    func forwarding() async throws {
        let app = await Self.startApp()
        let closed = try FreePort.next()
        var options = TestSystem.Options()
        options.extraRoutes = Self.routes(app: app.port, closed: closed)
        do {
            try await TestSystem.with(options) { system in
                let client = system.client
                #expect(try await client.get("/app/echo").status == 401)
                let ann = try await SessionTests.signIn(system, "ann")
                let spoofed = [
                    "X-Tollgate-User-Id": "someone-else", "x-tollgate-role": "admin", "X-TOLLGATE-PLAN": "vip",
                    "Cookie": "refresh_token=\(ann.refresh); theme=dark", "X-Forwarded-For": "6.6.6.6", "Host": "tollgate.example",
                ]
                let echoed = try await client.get("/app/echo/x%20y?y=1&z=2", token: ann.token, headers: spoofed)
                #expect(echoed.status == 200, "\(echoed.text)")
                #expect(echoed.header("X-App") == "yes", "the app's own headers come back")
                #expect(echoed.header("X-Request-ID") != nil)
                #expect(echoed.json["path"] as? String == "/app/echo/x%20y")
                #expect(echoed.json["query"] as? String == "y=1&z=2")
                let seen = try #require(echoed.json["headers"] as? [String: String])
                #expect(seen["x-tollgate-user-id"] == ann.userID)
                #expect(seen["x-tollgate-role"] == "user")
                #expect(seen["x-tollgate-session-id"]?.isEmpty == false)
                #expect(seen["x-tollgate-plan"] == nil, "a header the client made up under the gateway's names is removed")
                #expect(seen["authorization"] == nil, "the bearer token stays with the gateway")
                #expect(seen["cookie"] == "theme=dark", "Tollgate's refresh cookie stays with Tollgate")
                #expect(seen["x-forwarded-for"]?.hasSuffix("127.0.0.1") == true)
                #expect(seen["x-forwarded-proto"] == "http")
                #expect(seen["x-forwarded-host"] == "tollgate.example", "the Host the client asked for")
                #expect(seen["x-request-id"] == echoed.header("X-Request-ID"))
                let claims = try await Self.verifiedAssertion(try #require(seen["x-tollgate-assertion"]), system: system)
                #expect(claims["sub"] as? String == ann.userID)
                #expect(claims["aud"] as? String == "http://127.0.0.1:\(app.port)", "the audience is the upstream")
                #expect(claims["typ"] as? String == "tollgate-assertion")
                #expect(claims["role"] as? String == "user")
                #expect(claims["sid"] as? String == seen["x-tollgate-session-id"])
                let issued = try #require(claims["iat"] as? Int), expires = try #require(claims["exp"] as? Int)
                #expect(expires - issued == 60)
                #expect(abs(issued - Int(Date().timeIntervalSince1970)) < 30)
                let forged = try #require(seen["x-tollgate-assertion"]).dropLast(4) + "AAAA"
                await #expect(throws: AssertionRefused.self) { _ = try await Self.verifiedAssertion(String(forged), system: system) }
                await #expect(throws: AssertionRefused.self, "an access token is not an assertion") {
                    _ = try await Self.verifiedAssertion(ann.token, system: system)
                }

                let open = try await client.get("/open/a/b?c=d", headers: ["X-Tollgate-User-Id": ann.userID])
                #expect(open.json["path"] as? String == "/echo/a/b")
                #expect(open.json["query"] as? String == "c=d")
                #expect((open.json["headers"] as? [String: String])?["x-tollgate-user-id"] == nil)
                #expect((open.json["headers"] as? [String: String])?["x-tollgate-assertion"] == nil, "no one to vouch for")

                let authz = try await client.get("/authz", token: ann.token)
                #expect((authz.json["headers"] as? [String: String])?["authorization"] == "Bearer \(ann.token)")

                let body = Data(repeating: 0x61, count: 200_000)
                let posted = try await client.send(
                    .post, "/app/created", headers: ["Authorization": "Bearer \(ann.token)", "Content-Type": "application/octet-stream"],
                    body: body)
                #expect(posted.status == 201, "the app's status comes back")
                #expect(posted.json["length"] as? Int == body.count)
                let tooLarge = try await client.send(
                    .post, "/app/created", headers: ["Authorization": "Bearer \(ann.token)"], body: Data(repeating: 0x61, count: 2 << 20))
                #expect(tooLarge.status == 413)

                let slow = try await client.get("/slow")
                #expect(slow.status == 504)
                #expect(slow.json["detail"] as? String == "The upstream service did not answer in time")
                let down = try await client.get("/down")
                #expect(down.status == 502)
                #expect(down.json["detail"] as? String == "The upstream service could not be reached")
                let noPlan = try await client.get("/pro/reports", token: ann.token)
                #expect(noPlan.status == 402, "a tier on an upstream route gates it as on any route")
            }
        } catch {
            await app.stop()
            throw error
        }
        await app.stop()
    }

    struct AssertionRefused: Error {
        let reason: String
    }

    /// Verifies an assertion as an app would: the key named in its header from Tollgate's JWKS
    /// (an assertion key), the Ed25519 signature, and an expiry in the future. Returns its claims.
    static func verifiedAssertion(_ token: String, system: TestSystem) async throws -> [String: Any] {
        let parts = token.split(separator: ".").map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw AssertionRefused(reason: "not a JWT") }
        let jwks = try await system.client.get("/.well-known/jwks.json")
        let keys = try #require(jwks.json["keys"] as? [[String: Any]])
        guard header["alg"] as? String == "EdDSA", let kid = header["kid"] as? String, kid.hasPrefix("assertion-"),
            let jwk = keys.first(where: { $0["kid"] as? String == kid }), let x = (jwk["x"] as? String).flatMap(Base64URL.decode)
        else { throw AssertionRefused(reason: "no assertion key for this token") }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: x)
        guard key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)) else {
            throw AssertionRefused(reason: "bad signature")
        }
        guard let expires = claims["exp"] as? Int, expires > Int(Date().timeIntervalSince1970) else {
            throw AssertionRefused(reason: "expired")
        }
        return claims
    }

    @Test("an answer the app streams arrives in pieces, the first before the app has written the second; a body sent chunked goes up whole")
    func streaming() async throws {
        let app = await Self.startApp()
        var options = TestSystem.Options()
        options.extraRoutes = Self.routes(app: app.port, closed: 1)
        do {
            try await TestSystem.with(options) { system in
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    let started = ContinuousClock.now
                    let answer = try await client.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(system.gatewayPort)/stream"), timeout: .seconds(10))
                    #expect(answer.status.code == 200)
                    var pieces: [(String, Duration)] = []
                    for try await chunk in answer.body {
                        pieces.append((String(buffer: chunk), ContinuousClock.now - started))
                    }
                    #expect(pieces.map(\.0).joined() == "first\nsecond\n")
                    let first = try #require(pieces.first)
                    #expect(first.0 == "first\n")
                    #expect(first.1 < .milliseconds(600), "the first piece came at \(first.1), not after the whole answer")
                    #expect(try #require(pieces.last).1 >= .milliseconds(800))

                    // Going up as well: a body sent chunked, without a length, arrives whole.
                    let login = try await system.client.post(
                        "/register", json: ["email": "up@example.com", "username": "uploader", "password": "amber-lantern-7"])
                    #expect(login.status == 201)
                    let token = try #require(
                        try await system.client.post("/login", json: ["email": "up@example.com", "password": "amber-lantern-7"]).json["token"] as? String)
                    var upload = HTTPClientRequest(url: "http://127.0.0.1:\(system.gatewayPort)/app/created")
                    upload.method = .POST
                    upload.headers.add(name: "Authorization", value: "Bearer \(token)")
                    let (chunks, writer) = AsyncStream<ByteBuffer>.makeStream()
                    for _ in 0..<4 { writer.yield(ByteBuffer(repeating: 0x62, count: 10_000)) }
                    writer.finish()
                    upload.body = .stream(chunks, length: .unknown)
                    let uploaded = try await client.execute(upload, timeout: .seconds(10))
                    #expect(uploaded.status.code == 201)
                    let echoed = try JSONSerialization.jsonObject(with: Data((try await uploaded.body.collect(upTo: 1 << 20)).readableBytesView)) as? [String: Any]
                    #expect(echoed?["length"] as? Int == 40_000)
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        } catch {
            await app.stop()
            throw error
        }
        await app.stop()
    }
}
