import AuthService
import FluentKit
import Foundation
import Testing
import TollgateSecurity
import TollgateTestSupport

@Suite("Identifiers and passwords through the gateway")
struct IdentityRulesTests {
    static func register(_ system: TestSystem, _ email: String, _ username: String, _ password: String = "amber-lantern-7")
        async throws -> HTTPResult
    {
        try await system.client.post("/register", json: ["email": email, "username": username, "password": password])
    }

    @Test("look-alike emails and usernames are refused or taken; invalid addresses are 422; IDN domains work in either form")
    func lookalikes() async throws {
        try await TestSystem.with { system in
            #expect(try await Self.register(system, "kelvin@example.com", "kelvin").status == 201)
            for email in ["kelv\u{0131}n@example.com", "\u{FF4B}elvin@example.com", "<a@b.c>", "a@b", "a@-x.com"] {
                let answer = try await Self.register(system, email, "someone")
                #expect(answer.status == 422, "\(email)")
                #expect((answer.json["errors"] as? [String: String])?["email"] != nil, "\(email)")
            }
            #expect(try await Self.register(system, "KELVIN@EXAMPLE.COM", "someone").status == 400)
            for username in ["kelv\u{0131}n", "\u{FF4B}elvin", "\u{212A}ELVIN", "k\u{0435}lvin"] {
                let taken = try await Self.register(system, "other-\(UUID().uuidString.prefix(4))@example.com", username)
                #expect(taken.status == 400, "\(username): \(taken.text)")
            }
            for username in ["kel\u{200D}vin", "kel\u{200B}vin2", "\u{202E}nivlek"] {
                let refused = try await Self.register(system, "zw\(UUID().uuidString.prefix(4))@example.com", username)
                #expect(refused.status == 422, "\(username.unicodeScalars.map(\.value))")
                #expect((refused.json["errors"] as? [String: String])?["username"] != nil)
            }
            let idn = try await Self.register(system, "ünal@bücher.de".replacingOccurrences(of: "ünal", with: "unal"), "unal")
            #expect(idn.status == 201, "\(idn.text)")
            #expect(idn.json["email"] as? String == "unal@xn--bcher-kva.de")
            let login = try await system.client.post("/login", json: ["email": "UNAL@BÜCHER.DE", "password": "amber-lantern-7"])
            #expect(login.status == 200, "the Unicode form signs in to the same account")
            #expect(try await Self.register(system, "unal@xn--bcher-kva.de", "unal2").status == 400)
        }
    }

    @Test("common passwords and ones holding the account's names or the product's are refused at registration, reset and change")
    func passwords() async throws {
        try await TestSystem.with { system in
            for (password, why) in [("password", "common"), ("12345678", "common"), ("qwertyuiop", "common"), ("iloveyou", "common"),
                                    ("tollgate2026", "product"), ("xx-nadia-xx", "username"), ("nadia.k@example", "email")] {
                let answer = try await Self.register(system, "nadia.k@example.com", "nadia", password)
                #expect(answer.status == 422, "\(password) (\(why))")
                #expect((answer.json["errors"] as? [String: String])?["password"] != nil, "\(password)")
            }
            let nadia = try await SessionTests.signIn(system, "nadia")
            let change = try await system.client.post(
                "/change-password", json: ["old_password": "password-1", "new_password": "iloveyou"], token: nadia.token)
            #expect(change.status == 422)
            #expect((change.json["errors"] as? [String: String])?["new_password"] != nil)

            _ = try await system.client.post("/forget-password", json: ["email": "nadia@example.com"])
            let link = try await Mailbox(system, "nadia@example.com").next(containing: "reset-password?token=")
            let token = try #require(Mailbox.value(after: "reset-password?token=", in: link))
            let common = try await system.client.post("/new-password", json: ["token": token, "password": "sunshine1"])
            #expect(common.status == 422, "\(common.text)")
            let named = try await system.client.post("/new-password", json: ["token": token, "password": "nadia-forever-9"])
            #expect(named.status == 422, "the account's name, known only once the token is")
            #expect(try await system.client.post("/new-password", json: ["token": token, "password": "amber-lantern-7"]).status == 202,
                    "the link still works after refusals")

            let database = try system.authDatabase()
            let admins = AdminAccounts(database: database, hasher: PasswordHasher(parameters: .testing), passwords: PasswordPolicy())
            await #expect(throws: AdminAccounts.Problem.self) {
                _ = try await admins.createOrPromote(email: "root@example.com", username: "root", password: "12345678")
            }
            await database.shutdown()
        }
    }

    @Test("twenty uses of one verification link at once: exactly one says verified", arguments: DatabaseEngine.available)
    func verifyRace(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            _ = try await SessionTests.signIn(system, "olga")
            let token = try await VerificationAndPasswordTests.linkToken(system, "olga@example.com")
            let answers = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<20 { group.addTask { try await system.client.get("/verify?token=\(token)") } }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 202 }, "\(answers.map(\.status))")
            let messages = answers.compactMap { $0.json["message"] as? String }
            #expect(messages.filter { $0 == "Email is Verified" }.count == 1, "\(messages)")
            #expect(messages.filter { $0 != "Email is Verified" }.count == 19)
        }
    }
}
