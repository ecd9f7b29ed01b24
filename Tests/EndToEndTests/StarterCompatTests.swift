import Foundation
import Testing
import TollgateTestSupport

@Suite("TOLLGATE_STARTER_REFRESH_COMPAT")
struct StarterCompatTests {
    @Test("off by default: no refresh token in bodies, none taken from the URL")
    func offByDefault() async throws {
        try await TestSystem.with { system in
            let bob = try await SessionTests.signIn(system, "bob")
            let login = try await system.client.post("/login", json: ["email": "bob@example.com", "password": "password-1"])
            #expect(login.json["refresh_token"] == nil)
            #expect(try await system.client.send(.post, "/refresh-token?token=\(bob.refresh)", headers: ["Content-Type": "application/json"]).status == 401)
        }
    }

    @Test("on: login and refresh return it in the body, and ?token= is accepted")
    func on() async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_STARTER_REFRESH_COMPAT"] = "true"
        try await TestSystem.with(options) { system in
            let cat = try await SessionTests.signIn(system, "cat")
            let login = try await system.client.post("/login", json: ["email": "cat@example.com", "password": "password-1"])
            let inBody = try #require(login.json["refresh_token"] as? String)
            #expect(inBody == SessionTests.refreshCookie(login))

            let refreshed = try await system.client.send(.post, "/refresh-token?token=\(inBody)", headers: ["Content-Type": "application/json"])
            #expect(refreshed.status == 200)
            let next = try #require(refreshed.json["refresh_token"] as? String)
            #expect(next == SessionTests.refreshCookie(refreshed))
            #expect(next != inBody)
            #expect(try await system.client.get("/me", token: cat.token).status == 200)
        }
    }
}
