import Foundation
import Testing
import TollgateTestSupport

@Suite("A database that goes away is a 503 with Retry-After, and comes back by itself")
struct DatabaseUnavailableTests {
    static func expectUnavailable(_ answer: HTTPResult, _ what: String) {
        #expect(answer.status == 503, "\(what): \(answer.status) \(answer.text)")
        #expect(answer.header("Retry-After") == "5", "\(what)")
        #expect(answer.json["detail"] as? String == "Service temporarily unavailable; retry later", "\(what)")
    }

    @Test("PostgreSQL stopped: sign-in, registration and plans answer 503; started again: they work without a restart",
          .enabled(if: PostgresServerProcess.isAvailable))
    func postgresStopped() async throws {
        let postgres = try PostgresServerProcess()
        defer { postgres.remove() }
        try postgres.createDatabase("auth")
        try postgres.createDatabase("billing")
        var options = TestSystem.Options()
        options.authDatabaseURL = postgres.url(database: "auth")
        options.billingDatabaseURL = postgres.url(database: "billing")
        try await TestSystem.with(options) { system in
            _ = try await SessionTests.signIn(system, "pam")
            let credentials: [String: Any] = ["email": "pam@example.com", "password": "password-1"]

            try postgres.stop()
            Self.expectUnavailable(try await system.client.post("/login", json: credentials), "login")
            Self.expectUnavailable(try await system.client.get("/billing/plans"), "plans")
            Self.expectUnavailable(
                try await system.client.post(
                    "/register", json: ["email": "quinn@example.com", "username": "quinn", "password": "password-1"]),
                "register")

            try postgres.start()
            _ = try await eventually("sign-in works again", timeout: .seconds(20), every: .milliseconds(250)) {
                try await system.client.post("/login", json: credentials).status == 200 ? true : nil
            }
            _ = try await eventually("plans work again", timeout: .seconds(20), every: .milliseconds(250)) {
                try await system.client.get("/billing/plans").status == 200 ? true : nil
            }
        }
    }

    @Test("SQLite locked by another process beyond the busy timeout: 503, then the write goes through once it is free")
    func sqliteBusy() async throws {
        try await TestSystem.with { system in
            let holder = try system.authDatabase()
            try await holder.sql.raw("BEGIN EXCLUSIVE").run()
            let register: [String: Any] = ["email": "rita@example.com", "username": "rita", "password": "password-1"]
            let started = ContinuousClock.now
            Self.expectUnavailable(try await system.client.post("/register", json: register), "register while locked")
            #expect(ContinuousClock.now - started >= .seconds(4), "it waited for the lock first")
            try await holder.sql.raw("COMMIT").run()
            await holder.shutdown()
            #expect(try await system.client.post("/register", json: register).status == 201)
        }
    }
}
