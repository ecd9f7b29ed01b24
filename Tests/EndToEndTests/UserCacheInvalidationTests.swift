import FluentKit
import Foundation
import Logging
import SQLKit
import Testing
import TollgateMessaging
import TollgatePersistence
import TollgateTestSupport

@Suite("/me answers from a cache that every change evicts")
struct UserCacheInvalidationTests {
    @Test("a change announced on NATS (as another Auth instance would) is visible on the next /me")
    func invalidation() async throws {
        try await TestSystem.with { system in
            let cached = try await SessionTests.signIn(system, "cached")
            let (userID, token) = (cached.userID, cached.token)
            #expect(try await system.client.get("/me", token: token).json["username"] as? String == "cached")

            // Another instance changes the row behind this one's back...
            let database = try system.authDatabase()
            try await database.sql.update("users").set("username", to: "renamed")
                .where("id", .equal, try #require(UUID(uuidString: userID))).run()
            await database.shutdown()
            // ...so this one still answers from memory,
            #expect(try await system.client.get("/me", token: token).json["username"] as? String == "cached")

            // until the change is announced.
            let connection = try await system.connect(as: .auth)
            try connection.publish(system.subjects.authUserChanged, payload: Data(userID.uppercased().utf8))
            try await connection.flush()
            let renamed = try await eventually("renamed user") {
                let me = try await system.client.get("/me", token: token)
                return me.json["username"] as? String == "renamed" ? me : nil
            }
            #expect(renamed.status == 200)
            await connection.drain()
        }
    }
}
