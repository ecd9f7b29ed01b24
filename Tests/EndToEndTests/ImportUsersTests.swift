import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate-auth import-users")
struct ImportUsersTests {
    /// Made by argon2-cffi's `PasswordHasher()` (its defaults: m=65536, t=3, p=4), as published in
    /// argon2-cffi's README, for the password "correct horse battery staple".
    static let argon2CffiHash =
        "$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg"
    static let annID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"

    static func write(_ lines: [[String: Any]], to path: String) throws {
        let text = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            .joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func userCount(_ system: TestSystem) async throws -> Int {
        let database = try system.authDatabase()
        let count = try? await User.query(on: database.database).count()
        await database.shutdown()
        return count ?? -1
    }

    @Test("starter users sign in with their old passwords, which are rehashed; inactive stay refused; re-runs skip")
    func importAndSignIn() async throws {
        try await TestSystem.with { system in
            _ = try await SessionTests.signIn(system, "dan")
            let file = system.data.path + "/users.jsonl"
            try Self.write(
                [
                    [
                        "id": Self.annID, "email": "ann@example.com", "username": "ann", "password_hash": Self.argon2CffiHash,
                        "is_verified": true, "created_at": "2024-03-01T10:00:00Z", "first_name": "Ann",
                    ],
                    ["email": "bob@example.com", "username": "bob", "provider": "google", "password_hash": NSNull()],
                    [
                        "email": "cy@example.com", "username": "cy", "is_active": false,
                        "password_hash": Self.argon2CffiHash,
                    ],
                    ["email": "DAN@example.com", "username": "dan-the-second"],
                ], to: file)
            var environment = system.environment
            environment["TOLLGATE_LOG_LEVEL"] = "error"
            let run = try AuthCommandLine.run(["import-users", file], environment: environment)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("imported 3 user(s), skipped 1 already present"))
            #expect(run.output.contains("line 4: email DAN@example.com already present"))

            let ann = try await system.client.post(
                "/login", json: ["email": "ann@example.com", "password": "correct horse battery staple"])
            #expect(ann.status == 200)
            #expect((ann.json["user"] as? [String: Any])?["id"] as? String == Self.annID)
            let database = try system.authDatabase()
            let stored = try await User.find(UUID(uuidString: Self.annID), on: database.database)
            await database.shutdown()
            #expect(stored?.passwordHash?.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$") == true, "rehashed at sign-in")
            #expect(stored?.isVerified == true)
            let again = try await system.client.post(
                "/login", json: ["email": "ann@example.com", "password": "correct horse battery staple"])
            #expect(again.status == 200, "the rehashed password works")
            let profile = try await system.client.get("/me/profile", token: try #require(again.json["token"] as? String))
            #expect(profile.json["first_name"] as? String == "Ann")

            #expect(try await system.client.post("/login", json: ["email": "cy@example.com", "password": "correct horse battery staple"]).status == 403)
            #expect(try await system.client.post("/login", json: ["email": "bob@example.com", "password": "anything-at-all"]).status == 401)

            let rerun = try AuthCommandLine.run(["import-users", file], environment: environment)
            #expect(rerun.status == 0)
            #expect(rerun.output.contains("imported 0 user(s), skipped 4 already present"))
        }
    }

    @Test("one bad line stops the whole import, and every bad line is named")
    func allOrNothing() async throws {
        try await TestSystem.with { system in
            let file = system.data.path + "/bad.jsonl"
            try Self.write(
                [
                    ["email": "eve@example.com", "username": "eve", "password_hash": Self.argon2CffiHash],
                    ["email": "fox@example.com", "username": "fox", "password_hash": "$2b$12$abcdefghijklmnopqrstuv"],
                    ["email": "EVE@example.com", "username": "eve2"],
                    ["username": "nomail"],
                ], to: file)
            let before = try await Self.userCount(system)
            var environment = system.environment
            environment["TOLLGATE_LOG_LEVEL"] = "error"
            let run = try AuthCommandLine.run(["import-users", file], environment: environment)
            #expect(run.status == 65)
            #expect(run.output.contains("nothing imported"))
            #expect(run.output.contains("line 2: password_hash"))
            #expect(run.output.contains("line 3: same email as line 1"))
            #expect(run.output.contains("line 4: not a JSON object"))
            #expect(try await Self.userCount(system) == before)
        }
    }
}
