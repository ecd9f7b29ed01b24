import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Per-account limits on one-time secrets")
struct SecretLimitTests {
    static func auditCount(_ system: TestSystem, _ kind: String) async throws -> Int {
        let database = try system.authDatabase()
        let count = try await AuditEvent.query(on: database.database).filter(\.$kind == kind).count()
        await database.shutdown()
        return count
    }

    @Test("ten wrong codes across codes pause sign-in codes, even the right one; audited and mailed; a password sign-in lifts it",
          arguments: DatabaseEngine.available)
    func wrongGuessesAcrossCodes(engine: DatabaseEngine) async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_MAIL_SEND_LIMIT"] = "20"
        try await TestSystem.with(options, engine: engine) { system in
            _ = try await system.client.post(
                "/register", json: ["email": "ivy@example.com", "username": "ivy", "password": "amber-lantern-7"])
            var seen: [String] = []
            for round in 0..<2 {
                let (code, email) = try await LoginCodeTests.requestCode(system, "ivy", after: seen)
                seen.append(email)
                // At once: each guess is counted before it is checked.
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for guess in 1...5 {
                        group.addTask { try await LoginCodeTests.signIn(system, "ivy", code: LoginCodeTests.wrong(code, guess)).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses == Array(repeating: 400, count: 5), "round \(round)")
            }
            let paused = try await Mailbox(system, "ivy@example.com").next(containing: "are turned off")
            #expect(paused.contains("10 wrong sign-in codes"))
            seen.append(paused)
            #expect(try await Self.auditCount(system, "login_code.locked") == 1)

            let (fresh, email) = try await LoginCodeTests.requestCode(system, "ivy", after: seen)
            seen.append(email)
            #expect(try await LoginCodeTests.signIn(system, "ivy", code: fresh).status == 400, "the right code, while paused")

            let password = try await system.client.post("/login", json: ["email": "ivy@example.com", "password": "amber-lantern-7"])
            #expect(password.status == 200)
            let (after, _) = try await LoginCodeTests.requestCode(system, "ivy", after: seen)
            #expect(try await LoginCodeTests.signIn(system, "ivy", code: after).status == 200, "a password sign-in lifts the pause")
        }
    }

    @Test("twenty requests at once send three emails of each kind; every answer is the same", arguments: DatabaseEngine.available)
    func sendCaps(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let joan = try await SessionTests.signIn(system, "joan")
            let requests = [("/forget-password", "reset-password?token="), ("/request/login-code", "sign-in code")]
            for (path, marker) in requests {
                let answers = try await withThrowingTaskGroup(of: (Int, String, Duration).self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            let started = ContinuousClock.now
                            let answer = try await system.client.post(path, json: ["email": "joan@example.com"])
                            return (answer.status, answer.text, ContinuousClock.now - started)
                        }
                    }
                    return try await group.reduce(into: [(Int, String, Duration)]()) { $0.append($1) }
                }
                #expect(Set(answers.map(\.1)).count == 1, "\(path): one answer for sent and not sent")
                #expect(answers.allSatisfy { $0.2 >= .milliseconds(250) }, "\(path): the same padded time")
                let ghost = try await system.client.post(path, json: ["email": "ghost@example.com"])
                #expect(ghost.text == answers[0].1, "\(path): unknown addresses are answered alike")
                _ = try await eventually("three emails from \(path)") {
                    Mailbox(system, "joan@example.com").texts().filter { $0.contains(marker) }.count >= 3 ? true : nil
                }
            }
            let verify = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await system.client.send(.post, "/request/verify", headers: ["Authorization": "Bearer \(joan.token)"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(verify.allSatisfy { $0 == 202 })
            // The registration's link, then three more.
            _ = try await eventually("four verification emails") {
                Mailbox(system, "joan@example.com").texts().filter { $0.contains("/verify?token=") }.count >= 4 ? true : nil
            }
            try await system.waitForMailToSettle()  // anything over the cap would have arrived by now
            let texts = Mailbox(system, "joan@example.com").texts()
            #expect(texts.filter { $0.contains("reset-password?token=") }.count == 3)
            #expect(texts.filter { $0.contains("sign-in code") }.count == 3)
            #expect(texts.filter { $0.contains("/verify?token=") }.count == 4)
            #expect(try await Self.auditCount(system, "mail.capped") == 3, "once per kind, not once per refused request")
        }
    }
}
