import Foundation
import Logging
import SQLKit
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

@testable import BillingService

@Suite("Accounts Billing keeps for a moment")
struct RecentAccountsTests {
    @Test("askers at once share an answer; it is kept until Auth announces a change, then read afresh")
    func keptUntilChanged() async throws {
        try await TestSystem.with { system in
            let email = "kept-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let registered = try await system.client.post(
                "/register", json: ["email": email, "username": "kept", "password": "a-long-password-1"])
            #expect(registered.status == 201, "\(registered.text)")
            let login = try await system.client.post("/login", json: ["email": email, "password": "a-long-password-1"])
            let token = try #require(login.json["token"] as? String, "\(login.text)")
            let me = try await system.client.get("/me", token: token)
            let userID = try #require((me.json["id"] as? String).flatMap(UUID.init(uuidString:)))

            // Billing asks Auth, so the test does too, as Billing.
            let connection = try await system.connect(as: .billing)
            let accounts = RecentAccounts(
                directory: AccountDirectory(auth: InternalRequest(connection: connection, service: "account"), subjects: system.subjects))
            let listener = Task { try await accounts.changeListener(connection: connection, subjects: system.subjects).run() }
            defer { listener.cancel() }

            let answers = try await withThrowingTaskGroup(of: AccountSummary?.self) { group in
                for _ in 0..<8 { group.addTask { try await accounts.account(userID) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 8 && answers.allSatisfy { $0?.username == "kept" && $0?.email == email })
            #expect(try await accounts.account(UUID()) == nil, "an account Auth does not know")

            // Changed behind Auth's back (no announcement): the kept answer stands.
            let database = try system.authDatabase()
            try await database.sql.raw("UPDATE users SET username = 'renamed' WHERE id = \(bind: userID)").run()
            await database.shutdown()
            #expect(try await accounts.account(userID)?.username == "kept")

            // A change through Auth is announced: the next ask reads the account as it is now.
            let deactivated = try await system.client.send(.post, "/deactivate", headers: ["Authorization": "Bearer \(token)"])
            #expect(deactivated.status < 300, "\(deactivated.text)")
            let fresh = try await eventually("the announced change read", timeout: .seconds(3)) {
                let account = try await accounts.account(userID)
                return account?.isActive == false ? account : nil
            }
            #expect(fresh.isActive == false)
            #expect(fresh.username == "renamed")
            await connection.drain()
        }
    }
}
