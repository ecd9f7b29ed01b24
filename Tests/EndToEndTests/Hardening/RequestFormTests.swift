import Foundation
import Testing
import TollgateTestSupport

@Suite("Request forms: JSON only, strict JSON, no cross-site use of the refresh cookie")
struct RequestFormTests {
    static func raw(_ system: TestSystem, _ path: String, body: String, headers: [String: String]) async throws -> HTTPResult {
        try await system.client.send(.post, path, headers: headers, body: Data(body.utf8))
    }

    @Test("a JSON endpoint answers 415 to other content types and to a body without one; JSON with parameters passes")
    func contentTypes() async throws {
        try await TestSystem.with { system in
            _ = try await SessionTests.signIn(system, "cal")
            let body = #"{"email":"cal@example.com","password":"password-1"}"#
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"] {
                let answer = try await Self.raw(system, "/login", body: body, headers: ["Content-Type": type])
                #expect(answer.status == 415, "\(type)")
                #expect(answer.json["detail"] as? String == "Content-Type must be application/json", "\(type)")
            }
            for type in ["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"] {
                #expect(try await Self.raw(system, "/login", body: body, headers: ["Content-Type": type]).status == 200, "\(type)")
            }
            let untyped = try await RawTCPConnection.open(port: system.gatewayPort)
            try await untyped.write("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            _ = try await eventually("an answer") { untyped.isClosed ? true : nil }
            #expect(untyped.text.hasPrefix("HTTP/1.1 415"), "a body without a content type")
        }
    }

    @Test("duplicate keys, trailing commas, NUL and deep nesting are 422 with the contract's shape")
    func strictJSON() async throws {
        try await TestSystem.with { system in
            let cases = [
                (#"{"email":"a@example.com","email":"b@example.com","password":"password-1"}"#, #"Duplicate key "email""#),
                (#"{"email":"a@example.com","password":"password-1",}"#, "Body is not valid JSON"),
                (#"{"email":"a@example.com","password":["x",]}"#, "Body is not valid JSON"),
                (#"{"email":"a@example.com","e\u006dail":"b","password":"p"}"#, #"Duplicate key "email""#),
                (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "Body is nested more than 64 levels deep"),
            ]
            for (body, message) in cases {
                let answer = try await Self.raw(system, "/login", body: body, headers: ["Content-Type": "application/json"])
                #expect(answer.status == 422, "\(body)")
                #expect((answer.json["errors"] as? [String: String])?["body"] == message, "\(body): \(answer.text)")
            }
        }
    }

    @Test("the refresh cookie works only from an allowed origin, or with no origin and a JSON content type")
    func crossSiteRefresh() async throws {
        try await TestSystem.with { system in
            var cookie = try await SessionTests.signIn(system, "dora").refresh
            func refresh(_ headers: [String: String]) async throws -> HTTPResult {
                try await system.client.send(.post, "/refresh-token", headers: headers.merging(["Cookie": "refresh_token=\(cookie)"]) { a, _ in a })
            }
            let refusals: [[String: String]] = [
                ["Content-Type": "text/plain", "Origin": "https://evil.example"],
                ["Content-Type": "text/plain"],
                ["Content-Type": "application/x-www-form-urlencoded"],
                [:],
                ["Content-Type": "application/json", "Origin": "https://evil.example"],
                ["Content-Type": "application/json", "Origin": "null"],
            ]
            for headers in refusals {
                let answer = try await refresh(headers)
                #expect(answer.status == 403, "\(headers)")
                #expect(answer.header("Set-Cookie") == nil, "\(headers): the session is untouched")
            }
            let cy = try await SessionTests.signIn(system, "cy-logout")
            let crossSiteLogout = try await system.client.send(
                .post, "/logout", headers: ["Authorization": "Bearer \(cy.token)", "Origin": "https://evil.example"])
            #expect(crossSiteLogout.status == 403, "logout clears the cookie: the same rule")
            // The session survived every attempt: the cookie still rotates, from each allowed form.
            for headers in [["Origin": "http://localhost:3000"], ["Origin": "http://localhost:8080"], ["Content-Type": "application/json"]] {
                let answer = try await refresh(headers)
                #expect(answer.status == 200, "\(headers)")
                cookie = try #require(SessionTests.refreshCookie(answer))
            }
        }
    }
}
