import Foundation
import GatewayService
import Testing
import TollgateContracts
import TollgateTestSupport

@Suite("Route table and gateway-config")
struct RouteTableTests {
    static let yaml = """
        body_limit: 100
        request_timeout_seconds: 2
        policies:
          p: { limit: 1, window_seconds: 10, key: ip }
        routes:
          - { method: GET, path: /billing/subscriptions/me, subject: billing.me, auth: user }
          - { method: GET, path: "/billing/subscriptions/{id}", subject: billing.one, auth: admin, rate_limit: p }
          - { method: POST, path: /login, subject: auth.login, auth: none, timeout_seconds: 0.5 }
        """

    @Test("first matching route wins; parameters are bound and percent-decoded")
    func matching() throws {
        let table = try RouteTable(file: RoutesFile.parse(Self.yaml), subjectPrefix: "tg")
        guard case .found(let me, let none) = table.match(method: "GET", path: "/billing/subscriptions/me") else {
            Issue.record("no match")
            return
        }
        #expect(me.subject == "tg.billing.me")
        #expect(none.isEmpty)
        guard case .found(let one, let parameters) = table.match(method: "GET", path: "/billing/subscriptions/a%20b")
        else {
            Issue.record("no match")
            return
        }
        #expect(one.subject == "tg.billing.one")
        #expect(one.auth == .admin)
        #expect(one.policy?.limit == 1)
        #expect(one.timeout == .seconds(2))
        #expect(parameters == ["id": "a b"])
        guard case .found(let login, _) = table.match(method: "POST", path: "/login") else { return }
        #expect(login.timeout == .milliseconds(500))
    }

    @Test("unknown paths, wrong methods, trailing slashes and empty parameters")
    func misses() throws {
        let table = try RouteTable(file: RoutesFile.parse(Self.yaml), subjectPrefix: "tg")
        guard case .methodNotAllowed(let allowed) = table.match(method: "DELETE", path: "/login") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["POST"])
        for path in ["/", "/login/", "/billing/subscriptions/", "/billing", "/nope", "/billing/subscriptions/a/b"] {
            guard case .notFound = table.match(method: "GET", path: path) else {
                Issue.record("\(path) should be 404")
                continue
            }
        }
    }

    @Test("a config naming an unknown policy, a bad timeout or a wildcard subject is refused with the reason")
    func invalidConfig() throws {
        let bad = """
            body_limit: 100
            request_timeout_seconds: 2
            policies: {}
            routes:
              - { method: GET, path: /a, subject: a.b, auth: none, rate_limit: missing }
              - { method: GET, path: /b, subject: "a.>", auth: none }
              - { method: GET, path: /c, subject: c, auth: none, timeout_seconds: 0 }
            """
        do {
            _ = try RouteTable(file: RoutesFile.parse(bad), subjectPrefix: "tg")
            Issue.record("accepted a bad config")
        } catch let error as GatewayConfigError {
            #expect(error.message.contains("unknown rate_limit policy missing"))
            #expect(error.message.contains("plain NATS subject"))
            #expect(error.message.contains("timeout"))
        }
        #expect(throws: GatewayConfigError.self) {
            try RoutesFile.parse("body_limit: 1\nrequest_timeout_seconds: 1\npolicies: {}\nroutes:\n  - { method: GET, path: /a, subject: a, auth: root }")
        }
    }

    @Test("the shipped gateway.yaml loads and every subject it routes to is one a service answers")
    func shippedConfig() throws {
        let file = try RoutesFile.load(path: TestSystem.repositoryRoot + "/gateway-config/gateway.yaml")
        _ = try RouteTable(file: file, subjectPrefix: "tollgate")
        #expect(!file.routes.isEmpty)
        for route in file.routes {
            #expect(RouteSubject.all.contains(route.subject), "\(route.subject) is not answered by any service")
        }
        #expect(file.routes.filter { $0.path == "/login" }.allSatisfy { $0.rateLimit == "credentials" })
    }
}
