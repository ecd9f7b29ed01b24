import Foundation
import Testing
import TollgateTestSupport

@Suite("Accounts through the gateway")
struct AccountFlowTests {
    @Test("register, log in, read /me, and the verification email arrives", arguments: DatabaseEngine.available)
    func registerLoginMe(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let client = system.client

            let registered = try await client.post(
                "/register", json: ["email": "  Ada@Example.com ", "username": "ada", "password": "analytical-engine"])
            #expect(registered.status == 201)
            #expect(registered.json["email"] as? String == "Ada@Example.com")
            #expect(registered.json["username"] as? String == "ada")
            #expect(registered.json["provider"] as? String == "local")
            #expect(registered.json["password_hash"] == nil)
            let userID = try #require(registered.json["id"] as? String)

            let login = try await client.post("/login", json: ["email": "ada@example.com", "password": "analytical-engine"])
            #expect(login.status == 200)
            #expect(login.json["type"] as? String == "Bearer")
            let token = try #require(login.json["token"] as? String)
            let cookie = try #require(login.header("Set-Cookie"))
            #expect(cookie.hasPrefix("refresh_token="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Max-Age=604800"))

            let me = try await client.get("/me", token: token)
            #expect(me.status == 200)
            #expect(me.json["id"] as? String == userID)
            #expect(me.json["email"] as? String == "Ada@Example.com")

            let email = try await eventually("verification email for ada") { system.emails(to: "Ada@Example.com").first }
            #expect(email.contains("Subject: Confirm your email for Tollgate"))
            #expect(email.contains("multipart/alternative"))
            let text = try #require(MimeParts.decodedBodies(of: email).first)
            #expect(text.contains("/verify?token="))
        }
    }

    @Test("wrong password and unknown email are both 401 with the same body")
    func badCredentials() async throws {
        try await TestSystem.with { system in
            let client = system.client
            _ = try await client.post("/register", json: ["email": "bo@example.com", "username": "bo", "password": "password-1"])

            let wrongPassword = try await client.post("/login", json: ["email": "bo@example.com", "password": "password-2"])
            let unknownEmail = try await client.post("/login", json: ["email": "nobody@example.com", "password": "password-2"])
            #expect(wrongPassword.status == 401)
            #expect(unknownEmail.status == 401)
            #expect(wrongPassword.body == unknownEmail.body)
            #expect(wrongPassword.header("WWW-Authenticate") == "Bearer")
        }
    }

    @Test("email and username are unique in canonical form, also under concurrent registrations",
        arguments: DatabaseEngine.available)
    func uniqueness(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let client = system.client
            let first = try await client.post(
                "/register", json: ["email": "cy@example.com", "username": "Cyd", "password": "password-1"])
            #expect(first.status == 201)
            let sameEmail = try await client.post(
                "/register", json: ["email": " CY@EXAMPLE.COM", "username": "other", "password": "password-1"])
            #expect(sameEmail.status == 400)
            #expect(sameEmail.json["detail"] as? String == "Email already exists")
            let sameUsername = try await client.post(
                "/register", json: ["email": "cy2@example.com", "username": "cyd", "password": "password-1"])
            #expect(sameUsername.status == 400)
            #expect(sameUsername.json["detail"] as? String == "Username already exists")

            // "é" composed and decomposed are one username.
            let composed = try await client.post(
                "/register", json: ["email": "e1@example.com", "username": "ren\u{E9}", "password": "password-1"])
            let decomposed = try await client.post(
                "/register", json: ["email": "e2@example.com", "username": "rene\u{301}", "password": "password-1"])
            #expect(composed.status == 201)
            #expect(decomposed.status == 400)

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await client.post(
                            "/register",
                            json: ["email": "race@example.com", "username": "racer\(index)", "password": "password-1"]
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 5)
        }
    }

    @Test("bad input is a 422 with one message per field")
    func validation() async throws {
        try await TestSystem.with { system in
            let client = system.client

            let short = try await client.post("/register", json: ["email": "not-an-email", "username": "x", "password": "short"])
            #expect(short.status == 422)
            let errors = try #require(short.json["errors"] as? [String: String])
            #expect(Set(errors.keys) == ["email", "username", "password"])

            let sameAsName = try await client.post(
                "/register", json: ["email": "grace@example.com", "username": "grace.hopper", "password": "Grace.Hopper"])
            #expect(sameAsName.status == 422)
            #expect((sameAsName.json["errors"] as? [String: String])?["password"] == "Password must not contain your email, your username or Tollgate")
            let sameAsEmail = try await client.post(
                "/register", json: ["email": "longname@example.com", "username": "other", "password": "LONGNAME@example.com"])
            #expect((sameAsEmail.json["errors"] as? [String: String])?["password"] != nil)

            let missing = try await client.post("/register", json: ["email": "a@example.com"])
            #expect(missing.status == 422)
            #expect((missing.json["errors"] as? [String: String])?["username"] == "Field required")

            let notJSON = try await client.send(.post, "/register", body: Data("{nope".utf8))
            #expect(notJSON.status == 422)
            #expect((notJSON.json["errors"] as? [String: String])?["body"] == "Body is not valid JSON")

            let nul = try await client.send(
                .post, "/register", body: Data(#"{"email":"a\u0000@example.com","username":"abc","password":"password-1"}"#.utf8))
            #expect(nul.status == 422)
            #expect((nul.json["errors"] as? [String: String])?["body"] != nil)

            let wrongType = try await client.post("/login", json: ["email": 42, "password": "x"])
            #expect(wrongType.status == 422)
            #expect((wrongType.json["errors"] as? [String: String])?["email"] == "Expected a string")
        }
    }
}
