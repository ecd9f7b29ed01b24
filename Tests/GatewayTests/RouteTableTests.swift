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
        let table = try RouteTable(file: RoutesFile.parse(Self.yaml), endpoints: [], subjectPrefix: "tg")
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
        #expect(one.access == .admin)
        #expect(one.policy?.limit == 1)
        #expect(one.timeout == .seconds(2))
        #expect(parameters == ["id": "a b"])
        guard case .found(let login, _) = table.match(method: "POST", path: "/login") else { return }
        #expect(login.timeout == .milliseconds(500))
    }

    @Test("unknown paths, wrong methods, trailing slashes and empty parameters")
    func misses() throws {
        let table = try RouteTable(file: RoutesFile.parse(Self.yaml), endpoints: [], subjectPrefix: "tg")
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
            _ = try RouteTable(file: RoutesFile.parse(bad), endpoints: [], subjectPrefix: "tg")
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

    @Test("the declared endpoints are routed with their access, policy and subject; the file overrides tier, timeout and policy")
    func declaredEndpoints() throws {
        let file = try RoutesFile.parse(
            """
            body_limit: 100
            request_timeout_seconds: 2
            policies:
              credentials: { limit: 1, window_seconds: 10, key: ip+route }
              authenticated: { limit: 5, window_seconds: 10, key: principal }
              strict: { limit: 1, window_seconds: 60, key: principal }
            overrides:
              "GET /me": { tier: 2, timeout_seconds: 0.5, rate_limit: strict }
            routes:
              - { method: GET, path: /reports, subject: reports.list, auth: user, tier: 1 }
            """)
        let reports = Endpoint(
            "GET", "/me/reports", subject: "auth.reports", access: .user, rateLimit: "authenticated", tier: 1, timeoutSeconds: 30,
            summary: "A declared tier and timeout")
        let table = try RouteTable(file: file, endpoints: [AuthEndpoints.login, AuthEndpoints.me, reports], subjectPrefix: "tg")
        guard case .found(let declared, _) = table.match(method: "GET", path: "/me/reports") else {
            Issue.record("the declared route is missing")
            return
        }
        #expect(declared.tier == 1)
        #expect(declared.timeout == .seconds(30))
        guard case .found(let login, _) = table.match(method: "POST", path: "/login"),
            case .found(let me, _) = table.match(method: "GET", path: "/me"),
            case .found(let reports, _) = table.match(method: "GET", path: "/reports")
        else {
            Issue.record("a route is missing")
            return
        }
        #expect(login.subject == "tg.auth.login")
        #expect(login.access == .public)
        #expect(login.policy?.name == "credentials")
        #expect(login.timeout == .seconds(2))
        #expect(login.tier == nil)
        #expect(me.access == .user)
        #expect(me.tier == 2)
        #expect(me.timeout == .milliseconds(500))
        #expect(me.policy?.name == "strict")
        #expect(reports.subject == "tg.reports.list")
        #expect(reports.tier == 1)
    }

    @Test("an override of no declared route, a route added twice or a policy no file sets is refused")
    func badOverrides() throws {
        let file = try RoutesFile.parse(
            """
            body_limit: 100
            request_timeout_seconds: 2
            policies: {}
            overrides:
              "GET /nowhere": { tier: 1 }
              "POST /login": { tier: 1 }
            routes:
              - { method: POST, path: /login, subject: auth.login, auth: none }
            """)
        do {
            _ = try RouteTable(file: file, endpoints: [AuthEndpoints.login], subjectPrefix: "tg")
            Issue.record("accepted a bad config")
        } catch let error as GatewayConfigError {
            #expect(error.message.contains("overrides.GET /nowhere: no declared route"))
            #expect(error.message.contains("unknown rate_limit policy credentials"))
            #expect(error.message.contains("tier needs auth user or admin"))
            #expect(error.message.contains("POST /login is routed twice"))
        }
    }

    @Test("the shipped gateway.yaml loads, sets every policy a declared endpoint names, and keeps the declared routes' order of specificity")
    func shippedConfig() throws {
        let file = try RoutesFile.load(path: TestSystem.repositoryRoot + "/gateway-config/gateway.yaml")
        let table = try RouteTable(file: file, subjectPrefix: "tollgate")
        #expect(table.routes.count == Endpoint.all.count + file.routes.count)
        for endpoint in Endpoint.all {
            #expect(file.policies[endpoint.rateLimit] != nil, "\(endpoint.path): no policy \(endpoint.rateLimit)")
        }
        #expect(Endpoint.all.filter { $0.path == "/login" }.allSatisfy { $0.rateLimit == "credentials" })
        #expect(Set(Endpoint.all.map { "\($0.method) \($0.path)" }).count == Endpoint.all.count)
        #expect(Set(Endpoint.all.map(\.subject)).count == Endpoint.all.count)
    }
}
