import AuthService
import FluentKit
import SQLKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Per-account sign-in throttling and the audit trail")
struct LoginThrottleTests {
    static func login(_ system: TestSystem, _ email: String, _ password: String) async throws -> HTTPResult {
        try await system.client.post("/login", json: ["email": email, "password": password])
    }

    @Test("after 5 failures even the right password waits; unknown emails are throttled alike; a success clears it")
    func throttled() async throws {
        // A first wait of 30 s: wide enough that a slow machine still checks inside it.
        var options = TestSystem.Options()
        options.environment["TOLLGATE_LOGIN_THROTTLE_BASE"] = "30"
        try await TestSystem.with(options) { system in
            let zed = try await SessionTests.signIn(system, "zed")
            var answers: [HTTPResult] = []
            for email in ["zed@example.com", "nobody@example.com"] {
                for _ in 0..<5 { #expect(try await Self.login(system, email, "wrong-password").status == 401) }
                answers.append(try await Self.login(system, email, "password-1"))
            }
            let (known, unknown) = (answers[0], answers[1])
            for answer in answers {
                #expect(answer.status == 429)
                #expect((1...30).contains(Int(answer.header("Retry-After") ?? "") ?? 0))
            }
            #expect(known.body == unknown.body)
            #expect(try await Self.login(system, "ZED@example.com ", "password-1").status == 429, "every spelling counts")

            // The wait is over (moved back in the database rather than slept through).
            let database = try system.authDatabase()
            try await database.sql.update("login_failures")
                .set("last_failure_at", to: Date().addingTimeInterval(-31)).run()
            await database.shutdown()
            #expect(try await Self.login(system, "zed@example.com", "password-1").status == 200)
            #expect(try await Self.login(system, "zed@example.com", "wrong-password").status == 401, "success forgets failures")
            #expect(try await Self.login(system, "zed@example.com", "password-1").status == 200)

            let kinds = try await PasswordResetTests.auditKinds(system, userID: zed.userID)
            #expect(kinds.filter { $0 == "login.failed" }.count == 6)
            #expect(kinds.filter { $0 == "login.throttled" }.count == 2)
            #expect(kinds.filter { $0 == "login.succeeded" }.count == 3)
        }
    }

    @Test("security events carry the user, the client address and the time")
    func auditTrail() async throws {
        try await TestSystem.with { system in
            let amy = try await SessionTests.signIn(system, "amy")
            _ = try await system.client.send(
                .post, "/change-password", headers: ["Authorization": "Bearer \(amy.token)", "Content-Type": "application/json"],
                body: try JSONSerialization.data(withJSONObject: ["old_password": "password-1", "new_password": "changed-pass-1"]))
            _ = try await system.client.send(.post, "/deactivate", headers: ["Authorization": "Bearer \(amy.token)"])

            let database = try system.authDatabase()
            let events = try await AuditEvent.query(on: database.database)
                .filter(\.$userID == Optional(UUID(uuidString: amy.userID) ?? UUID())).sort(\.$createdAt).all()
            await database.shutdown()
            #expect(events.map(\.kind) == ["login.succeeded", "password.changed", "account.deactivated"])
            #expect(events.allSatisfy { $0.ip == "127.0.0.1" })
            #expect(events.allSatisfy { abs($0.createdAt.timeIntervalSinceNow) < 60 })
        }
    }
}
