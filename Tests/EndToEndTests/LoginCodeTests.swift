import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Email sign-in codes")
struct LoginCodeTests {
    static func requestCode(_ system: TestSystem, _ name: String, after seen: [String] = []) async throws -> (code: String, email: String) {
        let answer = try await system.client.post("/request/login-code", json: ["email": "\(name)@example.com"])
        #expect(answer.status == 200)
        let email = try await Mailbox(system, "\(name)@example.com").next(containing: "sign-in code", after: seen)
        return (try #require(Mailbox.sixDigitCode(in: email)), email)
    }

    static func signIn(_ system: TestSystem, _ name: String, code: String) async throws -> HTTPResult {
        try await system.client.post("/login/code", json: ["email": "\(name)@example.com", "code": code])
    }

    /// A six-digit code that is not `code`.
    static func wrong(_ code: String, _ offset: Int = 1) -> String {
        String(format: "%06d", ((Int(code) ?? 0) + offset) % 1_000_000)
    }

    @Test("the emailed code signs in once and verifies the email; the same answer for unknown emails")
    func signInOnce() async throws {
        try await TestSystem.with { system in
            let registered = try await system.client.post(
                "/register", json: ["email": "val@example.com", "username": "val", "password": "password-1"])
            #expect(registered.status == 201)
            let unknown = try await system.client.post("/request/login-code", json: ["email": "ghost@example.com"])
            let (code, email) = try await Self.requestCode(system, "val")
            #expect(email.contains("15 minutes"))
            #expect(unknown.status == 200)
            #expect(system.emails(to: "ghost@example.com").isEmpty)

            let signedIn = try await Self.signIn(system, "val", code: code)
            #expect(signedIn.status == 200)
            #expect(signedIn.json["type"] as? String == "Bearer")
            #expect((signedIn.json["user"] as? [String: Any])?["email"] as? String == "val@example.com")
            #expect(SessionTests.refreshCookie(signedIn) != nil)
            let token = try #require(signedIn.json["token"] as? String)
            #expect(try await system.client.get("/me", token: token).status == 200)

            let reused = try await Self.signIn(system, "val", code: code)
            #expect(reused.status == 400, "the starter's status")
            #expect(reused.json["detail"] as? String == "Invalid code or email.")
            #expect(try await Self.signIn(system, "ghost", code: code).status == 400)

            let database = try system.authDatabase()
            let user = try await User.query(on: database.database).filter(\.$username == "val").first()
            await database.shutdown()
            #expect(user?.isVerified == true)
        }
    }

    @Test("only the newest code works; 5 wrong tries kill it; an expired code is refused; bad shape is 422")
    func refusals() async throws {
        try await TestSystem.with { system in
            _ = try await system.client.post("/register", json: ["email": "wes@example.com", "username": "wes", "password": "password-1"])
            let (first, firstEmail) = try await Self.requestCode(system, "wes")
            let (second, secondEmail) = try await Self.requestCode(system, "wes", after: [firstEmail])
            if first != second { #expect(try await Self.signIn(system, "wes", code: first).status == 400) }

            for offset in 1...5 {
                #expect(try await Self.signIn(system, "wes", code: Self.wrong(second, offset)).status == 400)
            }
            #expect(try await Self.signIn(system, "wes", code: second).status == 400, "locked after 5 wrong tries")

            let (third, _) = try await Self.requestCode(system, "wes", after: [firstEmail, secondEmail])
            let database = try system.authDatabase()
            try await LoginCode.query(on: database.database).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            await database.shutdown()
            #expect(try await Self.signIn(system, "wes", code: third).status == 400, "expired")

            let malformed = try await Self.signIn(system, "wes", code: "12a456")
            #expect(malformed.status == 422)
            #expect((malformed.json["errors"] as? [String: String])?["code"] != nil)
            let badEmail = try await system.client.post("/request/login-code", json: ["email": "not-an-email"])
            #expect(badEmail.status == 422)
            #expect((badEmail.json["errors"] as? [String: String])?["email"] != nil)
        }
    }

    @Test("a code for an account deactivated since it was sent is refused with 403, and only when right")
    func deactivatedSince() async throws {
        try await TestSystem.with { system in
            let zoe = try await SessionTests.signIn(system, "zoe")
            let (code, _) = try await Self.requestCode(system, "zoe")
            #expect(try await system.client.send(.post, "/deactivate", headers: ["Authorization": "Bearer \(zoe.token)"]).status == 202)
            #expect(try await Self.signIn(system, "zoe", code: Self.wrong(code)).status == 400)
            let refused = try await Self.signIn(system, "zoe", code: code)
            #expect(refused.status == 403)
            #expect(try await system.client.post("/request/login-code", json: ["email": "zoe@example.com"]).status == 200)
            let database = try system.authDatabase()
            let stored = try await LoginCode.query(on: database.database).count()
            await database.shutdown()
            #expect(stored == 0, "the used code is gone and inactive accounts get no new one")
        }
    }

    @Test("of concurrent sign-ins with one code exactly one succeeds", arguments: DatabaseEngine.available)
    func concurrentUse(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            _ = try await system.client.post("/register", json: ["email": "xan@example.com", "username": "xan", "password": "password-1"])
            let (code, _) = try await Self.requestCode(system, "xan")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.signIn(system, "xan", code: code).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 5)
        }
    }

    @Test("many concurrent wrong guesses never get more than five checks", arguments: DatabaseEngine.available)
    func concurrentGuesses(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            _ = try await system.client.post("/register", json: ["email": "yve@example.com", "username": "yve", "password": "password-1"])
            let (code, _) = try await Self.requestCode(system, "yve")
            _ = try await withThrowingTaskGroup(of: Int.self) { group in
                for offset in 1...12 { group.addTask { try await Self.signIn(system, "yve", code: Self.wrong(code, offset)).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let database = try system.authDatabase()
            let attempts = try await LoginCode.query(on: database.database).first()?.attempts
            await database.shutdown()
            #expect(attempts == 5)
            #expect(try await Self.signIn(system, "yve", code: code).status == 400)
        }
    }
}
