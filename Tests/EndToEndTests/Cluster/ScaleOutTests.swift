import FluentKit
import Foundation
import SQLKit
import Synchronization
import Testing
import TollgateContracts
import TollgateTestSupport

/// Several instances of a service on one bus and one database, as a deployment scaled out runs
/// them: work shared, limits counted for the deployment, caches evicted in every instance, one
/// sweeper at a time.
@Suite("Scale-out: several instances of each service")
struct ScaleOutTests {
    @Test("two gateways share a policy's limit: a client spreading its requests over both gets the limit, not twice it")
    func sharedRateLimit() async throws {
        var options = TestSystem.Options()
        options.extraPolicies["shared"] = .init(limit: 40, windowSeconds: 3600, key: .ip)
        options.overrides["GET /billing/plans"] = .init(rateLimit: "shared")
        try await TestSystem.with(options) { system in
            let secondPort = try #require(try await system.startInstance(.gateway, name: "gateway-2"))
            let gateways = [system.client, GatewayClient(port: secondPort)]
            // In waves of four at once, alternating gateways: the overshoot the design allows is what
            // the other gateway admits before its counts arrive (a few milliseconds).
            let admitted = Mutex(0)
            let refused = Mutex(0)
            for wave in 0..<30 {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<4 {
                        let gateway = gateways[(wave + index) % 2]
                        group.addTask { try await gateway.get("/billing/plans").status }
                    }
                    for try await status in group {
                        if status == 200 { admitted.withLock { $0 += 1 } }
                        if status == 429 { refused.withLock { $0 += 1 } }
                    }
                }
            }
            let allowed = admitted.withLock { $0 }
            #expect(allowed >= 40, "the limit itself is admitted")
            #expect(allowed <= 44, "at most 10 % over the limit across two gateways, got \(allowed)")
            #expect(allowed + refused.withLock { $0 } == 120)
            // Each gateway, asked alone now, refuses: it knows what the other admitted.
            for gateway in gateways { #expect(try await gateway.get("/billing/plans").status == 429) }
        }
    }

    @Test("two Auth instances: a change made through one is what /me answers through both, at once")
    func userCacheAcrossInstances() async throws {
        var options = TestSystem.Options()
        // Long enough that only an eviction can explain a fresh answer.
        options.environment["TOLLGATE_AUTH_USER_CACHE_TTL"] = "3600"
        try await TestSystem.with(options) { system in
            try await system.startInstance(.auth, name: "auth-2")
            let admin = try await BillingTestKit.adminToken(system)
            let user = try await SessionTests.signIn(system, "twin")
            // Enough requests that both instances (one queue group) answer and cache the user.
            for _ in 0..<20 { #expect(try await system.client.get("/me", token: user.token).json["username"] as? String == "twin") }
            // The row changes behind both instances' backs (as an operator's tool would): both
            // still answer from memory...
            let database = try system.authDatabase()
            try await database.sql.update("users").set("username", to: "renamed")
                .where("id", .equal, try #require(UUID(uuidString: user.userID))).run()
            await database.shutdown()
            for _ in 0..<20 { #expect(try await system.client.get("/me", token: user.token).json["username"] as? String == "twin") }
            // ...until a change made through either (an admin's verify) evicts it in both.
            let verified = try await BillingTestKit.send(system, .patch, "/users/\(user.userID)/verify", json: nil, token: admin)
            #expect(verified.status == 200)
            let started = ContinuousClock.now
            _ = try await eventually("every instance answers the change", timeout: .seconds(3)) { () -> Bool? in
                for _ in 0..<20 where try await system.client.get("/me", token: user.token).json["username"] as? String != "renamed" {
                    return nil
                }
                return true
            }
            #expect(ContinuousClock.now - started < .seconds(1))
        }
    }

    @Test("two Billing instances: one holds the sweep's lease while both run; when it stops, the other takes it",
          arguments: DatabaseEngine.available)
    func sweepLease(engine: DatabaseEngine) async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_BILLING_SWEEP_SECONDS"] = "1"
        try await TestSystem.with(options, engine: engine) { system in
            try await system.startInstance(.billing, name: "billing-2")
            let database = try system.billingDatabase()
            defer { Task { await database.shutdown() } }
            let holders = { () async throws -> [String] in
                try await database.sql.raw("SELECT holder FROM leases WHERE name = 'expiry-sweep'").all()
                    .map { try $0.decode(column: "holder", as: String.self) }
            }
            let first = try await eventually("a holder") { try await holders().first }
            // Both instances try every second; the holder stays the same.
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await holders() == [first])
            }
            // Whichever instance holds it, stopping both in turn hands it over once.
            await system.stopService(.billing)
            let afterFirstStop = try await eventually("a holder after one instance stopped", timeout: .seconds(5)) {
                try await holders().first
            }
            if afterFirstStop == first {
                await system.stopInstance("billing-2")
                try await system.startInstance(.billing, name: "billing-3")
                let next = try await eventually("a new holder", timeout: .seconds(5)) { try await holders().first.flatMap { $0 == first ? nil : $0 } }
                #expect(next != first)
            } else {
                #expect(afterFirstStop != first)
            }
        }
    }
}
