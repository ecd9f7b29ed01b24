import Foundation
import GatewayService
import Testing
import TollgateSecurity
import TollgateTestSupport

@Suite("tollgate-auth create-admin")
struct AdminCommandTests {
    static func run(_ arguments: [String], database: String, stdin: String?, password: String? = nil) throws -> (Int32, String) {
        var environment = [
            "TOLLGATE_AUTH_DATABASE_URL": database, "TOLLGATE_ARGON2_MEMORY_KIB": "1024",
            "TOLLGATE_ARGON2_ITERATIONS": "1", "TOLLGATE_LOG_LEVEL": "error",
        ]
        if let password { environment["TOLLGATE_ADMIN_PASSWORD"] = password }
        let outcome = try AuthCommandLine.run(arguments, environment: environment, stdin: stdin)
        return (outcome.status, outcome.output)
    }

    static func role(of token: String) throws -> String? {
        let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
        return (try JSONSerialization.jsonObject(with: payload) as? [String: Any])?["role"] as? String
    }

    @Test("creates an admin (password from stdin) who signs in with the admin role; promotes an existing user")
    func createAndPromote() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let (status, output) = try Self.run(
                ["create-admin", "--email", "boss@example.com", "--username", "boss"], database: database.url,
                stdin: "a-long-admin-password")
            #expect(status == 0, "\(output)")
            #expect(output.contains("created administrator boss@example.com"))

            let (missing, complaint) = try Self.run(
                ["create-admin", "--email", "new@example.com", "--username", "newbie"], database: database.url, stdin: nil)
            #expect(missing != 0)
            #expect(complaint.contains("password"))

            var options = TestSystem.Options()
            options.authDatabaseURL = database.url
            options.extraRoutes = [
                RoutesFile.Route(method: "GET", path: "/admin-probe", subject: "auth.me", auth: .admin, rateLimit: "authenticated")
            ]
            try await TestSystem.with(options) { system in
                let boss = try await system.client.post(
                    "/login", json: ["email": "boss@example.com", "password": "a-long-admin-password"])
                #expect(boss.status == 200)
                let bossToken = try #require(boss.json["token"] as? String)
                #expect(try Self.role(of: bossToken) == "admin")
                #expect(try await system.client.get("/admin-probe", token: bossToken).status == 200)

                let pat = try await SessionTests.signIn(system, "pat")
                #expect(try Self.role(of: pat.token) == "user")
                let refused = try await system.client.get("/admin-probe", token: pat.token)
                #expect(refused.status == 403)
                #expect(refused.json["detail"] as? String == "User does not have admin privileges")
                #expect(try await system.client.get("/admin-probe").status == 401)
                let (promoted, text) = try Self.run(
                    ["create-admin", "--email", "PAT@example.com", "--username", "ignored"], database: database.url,
                    stdin: nil)
                #expect(promoted == 0, "\(text)")
                #expect(text.contains("promoted"))
                let again = try await SessionTests.signIn(system, "pat", register: false)
                #expect(try Self.role(of: again.token) == "admin")
                #expect(try await system.client.get("/admin-probe", token: again.token).status == 200)
            }
        }
    }
}
