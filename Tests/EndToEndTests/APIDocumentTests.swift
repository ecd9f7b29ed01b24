import Foundation
import Testing
import TollgateContracts
import TollgateTestSupport

@Suite("The API document: /openapi.json and /docs")
struct APIDocumentTests {
    static func operation(_ document: [String: Any], _ method: String, _ path: String) -> [String: Any]? {
        ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
    }

    static func schema(_ operation: [String: Any]?, status: String) -> [String: Any]? {
        let response = (operation?["responses"] as? [String: Any])?[status] as? [String: Any]
        return ((response?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
    }

    @Test("every declared endpoint is in the document with its credentials, parameters, body and answers")
    func document() async throws {
        try await TestSystem.with { system in
            let response = try await system.client.get("/openapi.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(response.header("RateLimit-Limit") != nil, "counted against the public policy")
            let document = response.json
            #expect(document["openapi"] as? String == "3.1.0")
            for endpoint in Endpoint.all {
                let operation = try #require(Self.operation(document, endpoint.method, endpoint.path), "\(endpoint.method) \(endpoint.path)")
                let security = operation["security"] as? [[String: Any]] ?? []
                #expect((endpoint.access == .public) == !security.contains { $0["bearer"] != nil }, "\(endpoint.path)")
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(responses["503"] != nil && responses["504"] != nil, "\(endpoint.path)")
                if endpoint.access != .public { #expect(responses["401"] != nil, "\(endpoint.path)") }
                if endpoint.access == .admin { #expect(responses["403"] != nil, "\(endpoint.path)") }
                #expect(responses.keys.contains { $0.hasPrefix("2") || $0.hasPrefix("3") }, "\(endpoint.path) has a success")
            }

            // Bodies and answers come from the Swift types.
            let register = Self.operation(document, "POST", "/register")
            let body = (((register?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
            #expect(body?["required"] as? [String] == ["email", "password", "username"])
            let example = (((register?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["example"] as? [String: Any]
            #expect(example?["email"] as? String == "ada@example.com", "the body's example, as a client sends it")
            #expect(Self.schema(register, status: "201")?["required"] as? [String] == ["email", "id", "provider", "username"])
            let login = Self.schema(Self.operation(document, "POST", "/login"), status: "200")
            #expect(Set((login?["properties"] as? [String: Any])?.keys.map { $0 } ?? []) == ["token", "type", "user", "refresh_token"])
            #expect(login?["required"] as? [String] == ["token", "type", "user"], "refresh_token only in compat mode")
            let users = Self.operation(document, "GET", "/users")
            let names = (users?["parameters"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(Set(names).isSuperset(of: ["limit", "offset", "as_of", "q", "is_active"]))
            let page = Self.schema(users, status: "200")
            let nextOffset = (page?["properties"] as? [String: Any])?["next_offset"] as? [String: Any]
            #expect(nextOffset?["type"] as? [String] == ["integer", "null"])
            let profile = Self.schema(Self.operation(document, "GET", "/me/profile"), status: "200")
            #expect(((profile?["properties"] as? [String: Any])?["bio"] as? [String: Any])?["type"] as? [String] == ["string", "null"])
            let plan = Self.operation(document, "GET", "/billing/plans/{plan_id}")
            #expect((plan?["parameters"] as? [[String: Any]])?.first?["in"] as? String == "path")
            let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
            #expect((schemes?["bearer"] as? [String: Any])?["scheme"] as? String == "bearer")
            #expect((schemes?["refreshCookie"] as? [String: Any])?["in"] as? String == "cookie")
        }
    }

    @Test("/docs is a page of every route that loads nothing from elsewhere")
    func page() async throws {
        try await TestSystem.with { system in
            let page = try await system.client.get("/docs")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'")
            for endpoint in Endpoint.all { #expect(page.text.contains("\(endpoint.method) \(endpoint.path)"), "\(endpoint.path)") }
            #expect(!page.text.contains("<script"))
            #expect(!page.text.contains("src="))
            #expect(!page.text.contains("<link"))
        }
    }

    @Test("without a service to describe its endpoints the document is 503, and whole once it is back")
    func serviceMissing() async throws {
        try await TestSystem.with { system in
            await system.stopService(.billing)
            let missing = try await system.client.get("/openapi.json")
            #expect(missing.status == 503)
            #expect(missing.json["detail"] as? String == "The API document needs every service; billing did not answer")
            #expect(missing.header("Retry-After") == "5")
            try await system.startService(.billing)
            // A service starting answers once it has read the signing keys (readiness says when).
            try await system.waitUntilReady()
            let whole = try await system.client.get("/openapi.json")
            #expect(whole.status == 200)
            #expect(Self.operation(whole.json, "POST", "/billing/subscriptions/subscribe") != nil)
        }
    }
}
