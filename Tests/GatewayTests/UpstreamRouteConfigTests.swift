import Foundation
import HTTPTypes
import Crypto
import Testing
import TollgateContracts
import TollgateSecurity
import TollgateTestSupport

@testable import GatewayService

/// Upstream routes in gateway.yaml: what is refused at start, where a request is forwarded to, and
/// which headers go up and come back.
@Suite("Upstream routes: configuration, target URLs and headers")
struct UpstreamRouteConfigTests {
    static func table(_ routes: String) throws -> RouteTable {
        let yaml = """
            body_limit: 100
            request_timeout_seconds: 2
            policies: {}
            routes:
            \(routes)
            """
        return try RouteTable(file: RoutesFile.parse(yaml), endpoints: [], subjectPrefix: "tg")
    }

    @Test("a route names a subject or an upstream, never both; an upstream is an http(s) URL with a host; * only ends an upstream path")
    func refusedAtStart() throws {
        let refused: [(String, String)] = [
            ("- { method: GET, path: /a, subject: x.y, upstream: 'http://app:3000', auth: none }", "either a subject or an upstream"),
            ("- { method: GET, path: /a, auth: none }", "either a subject or an upstream"),
            ("- { method: GET, path: /a, upstream: 'ftp://app', auth: none }", "http:// or https://"),
            ("- { method: GET, path: /a, upstream: 'http://', auth: none }", "http:// or https://"),
            ("- { method: GET, path: /a, upstream: 'app:3000', auth: none }", "http:// or https://"),
            ("- { method: GET, path: /a, upstream: 'http://u:p@app', auth: none }", "user, a query or a fragment"),
            ("- { method: GET, path: /a, upstream: 'http://app/?q=1', auth: none }", "user, a query or a fragment"),
            ("- { method: GET, path: /a, upstream: 'http://app:0', auth: none }", "port"),
            ("- { method: GET, path: /a, upstream: 'http://app:99999', auth: none }", "port"),
            ("- { method: GET, path: '/a/*/b', upstream: 'http://app', auth: none }", "/*"),
            ("- { method: GET, path: '/a/*', subject: x.y, auth: none }", "/*"),
            ("- { method: GET, path: /a, subject: x.y, auth: none, forward_authorization: true }", "forward_authorization"),
            ("- { method: POST, path: /a, upstream: 'http://app', auth: none, refresh_cookie: true }", "refresh_cookie"),
            // A plan's feature or limit: for signed-in routes, named as plans name them.
            ("- { method: GET, path: /a, upstream: 'http://app', auth: none, quota: api_calls }", "quota needs auth user or admin"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: none, feature: reports }", "feature needs auth user or admin"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: user, quota: API_calls }", "quota must be 1 to 64"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: user, quota: '' }", "quota must be 1 to 64"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: user, quota: 'a.b' }", "quota must be 1 to 64"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: user, quota: '\(String(repeating: "q", count: 65))' }", "quota must be 1 to 64"),
            ("- { method: GET, path: /a, upstream: 'http://app', auth: user, feature: 'r*' }", "feature must be 1 to 64"),
            ("- { method: [], path: /a, upstream: 'http://app', auth: user }", "at least one method"),
            ("- { method: [GET, get], path: /a, upstream: 'http://app', auth: user }", "routed twice"),
            ("- { method: [GET, 'P O'], path: /a, upstream: 'http://app', auth: user }", "bad method"),
        ]
        for (route, message) in refused {
            do {
                _ = try Self.table(route)
                Issue.record("accepted: \(route)")
            } catch {
                #expect("\(error)".contains(message), "\(route): \(error)")
            }
        }
    }

    @Test("a quota route counts against the limit it names; a declared route may be given one")
    func quotaRoutes() throws {
        let table = try Self.table("""
              - { method: GET, path: '/api/*', upstream: 'http://app:3000', auth: user, quota: api_calls, feature: api }
            """)
        #expect(table.routes.first?.quota == "api_calls")
        // A method list is a route per method, alike otherwise.
        let listed = try Self.table("""
              - { method: [GET, post, DELETE], path: '/app/*', upstream: 'http://app:3000', auth: user, quota: api_calls }
            """)
        #expect(listed.routes.map(\.method) == ["GET", "POST", "DELETE"])
        #expect(listed.routes.allSatisfy { $0.quota == "api_calls" && $0.path == "/app/*" && $0.upstream?.name == "http://app:3000" })
        #expect(table.routes.first?.feature == "api")
        let shipped = try String(contentsOfFile: TestSystem.repositoryRoot + "/gateway-config/gateway.yaml", encoding: .utf8)
        let file = try RoutesFile.parse(shipped.replacingOccurrences(of: "overrides: {}", with: "overrides: { \"GET /me\": { quota: me_reads } }"))
        let declared = try RouteTable(file: file, subjectPrefix: "tg")
        #expect(declared.routes.first { $0.method == "GET" && $0.path == "/me" }?.quota == "me_reads")
    }

    @Test("/app/* takes /app and everything below it; the upstream's path replaces the prefix; the query is kept")
    func targets() throws {
        let table = try Self.table("""
              - { method: GET, path: '/app/*', upstream: 'http://127.0.0.1:3000', auth: user }
              - { method: GET, path: '/api/*', upstream: 'https://reports.internal/v2/', auth: none }
              - { method: GET, path: /one, upstream: 'http://app:8000/health', auth: none }
            """)
        for path in ["/app", "/app/", "/app/a/b%20c"] {
            guard case .found(let route, _) = table.match(method: "GET", path: path) else {
                Issue.record("\(path) did not match")
                continue
            }
            #expect(route.isWildcard)
            #expect(route.upstream?.name == "http://127.0.0.1:3000")
        }
        if case .found = table.match(method: "GET", path: "/apple") { Issue.record("/apple matched /app/*") }
        if case .found = table.match(method: "GET", path: "/ap") { Issue.record("/ap matched /app/*") }
        let app = try Upstream.parse("http://127.0.0.1:3000").get()
        #expect(app.url(requestPath: "/app/a/b%20c", routePrefix: "/app", query: "x=1&y=2") == "http://127.0.0.1:3000/app/a/b%20c?x=1&y=2")
        let reports = try Upstream.parse("https://reports.internal/v2/").get()
        #expect(reports.name == "https://reports.internal:443")
        #expect(reports.url(requestPath: "/api/monthly", routePrefix: "/api", query: nil) == "https://reports.internal:443/v2/monthly")
        #expect(reports.url(requestPath: "/api", routePrefix: "/api", query: "") == "https://reports.internal:443/v2")
        let one = try Upstream.parse("http://app:8000/health").get()
        #expect(one.url(requestPath: "/one", routePrefix: nil, query: "a=b") == "http://app:8000/health?a=b")
        #expect(try Upstream.parse("http://[::1]:9000").get().name == "http://[::1]:9000")
    }

    @Test("going up: hop-by-hop, Host, X-Tollgate-* in any case, Authorization and the refresh cookie are dropped; the gateway's own are added")
    func headers() throws {
        var incoming = HTTPFields()
        incoming[.connection] = "keep-alive, X-Secret-Hop"
        incoming[HTTPField.Name("X-Secret-Hop")!] = "drop me"
        incoming[HTTPField.Name("x-TOLLGATE-user-id")!] = "someone-else"
        incoming[HTTPField.Name("X-Tollgate-Role")!] = "admin"
        incoming[.authorization] = "Bearer abc"
        incoming[.cookie] = "refresh_token=secret; theme=dark; refresh_token2=kept"
        incoming[HTTPField.Name("X-Forwarded-For")!] = "6.6.6.6"
        incoming[HTTPField.Name("X-Custom")!] = "kept"
        incoming[.contentLength] = "5"
        let claims = AccessTokenClaims(
            sub: "u-1", sid: "s-1", role: "user", iss: "tollgate", aud: "tollgate", iat: 0, exp: 1, jti: "j")
        let untrusted = UpstreamHeaders.request(
            incoming, authority: "gw.example:8080",
            .init(peer: "10.0.0.9", peerIsTrustedProxy: false, requestID: "req-1", caller: claims, forwardAuthorization: false))
        #expect(untrusted["X-Secret-Hop"].isEmpty)
        #expect(untrusted["Connection"].isEmpty)
        #expect(untrusted["X-Tollgate-User-Id"] == ["u-1"])
        #expect(untrusted["X-Tollgate-Role"] == ["user"])
        #expect(untrusted["X-Tollgate-Session-Id"] == ["s-1"])
        #expect(untrusted["Authorization"].isEmpty)
        #expect(untrusted["Cookie"] == ["theme=dark; refresh_token2=kept"])
        #expect(untrusted["X-Forwarded-For"] == ["10.0.0.9"], "an untrusted peer's X-Forwarded-For is not believed")
        #expect(untrusted["X-Forwarded-Host"] == ["gw.example:8080"])
        #expect(untrusted["X-Forwarded-Proto"] == ["http"])
        #expect(untrusted["X-Request-ID"] == ["req-1"])
        #expect(untrusted["X-Custom"] == ["kept"])
        #expect(untrusted["Content-Length"].isEmpty, "the client sets the length of what it streams")

        let trusted = UpstreamHeaders.request(
            incoming, authority: "gw", .init(peer: "127.0.0.1", peerIsTrustedProxy: true, requestID: "r", caller: nil, forwardAuthorization: true))
        #expect(trusted["X-Forwarded-For"] == ["6.6.6.6, 127.0.0.1"])
        #expect(trusted["Authorization"] == ["Bearer abc"])
        #expect(trusted["X-Tollgate-User-Id"].isEmpty, "a public route says no one is calling, whatever the client claims")
        #expect(UpstreamHeaders.withoutRefreshCookie("refresh_token=x") == nil)
    }

    @Test("an assertion is reused for a session and upstream while 30 s of its 60 remain, then signed afresh; it verifies with the public key")
    func assertionReuse() throws {
        let pair = AssertionKeys.generate()
        let signer = try AssertionSigner(privateKey: pair.privateKey, issuer: "tollgate")
        let claims = AccessTokenClaims(sub: "u-1", sid: "s-1", role: "user", iss: "tollgate", aud: "tollgate", iat: 0, exp: 1, jti: "j")
        let first = try signer.assertion(for: claims, audience: "http://app:3000", now: 1_000)
        #expect(try signer.assertion(for: claims, audience: "http://app:3000", now: 1_030) == first)
        let renewed = try signer.assertion(for: claims, audience: "http://app:3000", now: 1_031)
        #expect(renewed != first)
        #expect(try signer.assertion(for: claims, audience: "http://other:3000", now: 1_031) != renewed, "one per upstream")
        let promoted = AccessTokenClaims(sub: "u-1", sid: "s-1", role: "admin", iss: "tollgate", aud: "tollgate", iat: 0, exp: 1, jti: "j")
        #expect(try signer.assertion(for: promoted, audience: "http://app:3000", now: 1_031) != renewed, "a new role is a new assertion")

        let parts = renewed.split(separator: ".").map(String.init)
        let jwk = try #require(try AssertionKeys.publicJWKs(pair.publicKey).first)
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: try #require(Base64URL.decode(jwk.x)))
        #expect(key.isValidSignature(try #require(Base64URL.decode(parts[2])), for: Data("\(parts[0]).\(parts[1])".utf8)))
        let header = try JSONSerialization.jsonObject(with: try #require(Base64URL.decode(parts[0]))) as? [String: String]
        #expect(header == ["alg": "EdDSA", "typ": "JWT", "kid": jwk.kid])
        let payload = try JSONSerialization.jsonObject(with: try #require(Base64URL.decode(parts[1]))) as? [String: Any]
        #expect(payload?["exp"] as? Int == 1_031 + 60)
        #expect(payload?["aud"] as? String == "http://app:3000")
    }
}
