import Foundation
import Testing
import TollgateContracts
import TollgateTestSupport

/// The services on a real three-server cluster with every stream and bucket replicated three times.
@Suite("Cluster: JetStream replicated, servers lost and back", .serialized)
struct ClusterOutageTests {
    static func clusterOptions(_ cluster: NatsCluster) -> TestSystem.Options {
        var options = TestSystem.Options()
        options.nats = cluster
        options.environment["TOLLGATE_JETSTREAM_REPLICAS"] = "3"
        return options
    }

    @Test("a logout made while JetStream has lost its quorum answers at once; once the servers return, every gateway refuses the token")
    func logoutDuringOutage() async throws {
        let cluster = try NatsCluster()
        try await cluster.start()
        defer { cluster.stop() }
        try await TestSystem.with(Self.clusterOptions(cluster)) { system in
            let secondPort = try #require(try await system.startInstance(.gateway, name: "gateway-2"))
            try await system.startInstance(.auth, name: "auth-2")
            let gateways = [system.client, GatewayClient(port: secondPort)]
            let user = try await SessionTests.signIn(system, "outage")
            let ready = try await gateways[0].get("/readyz")
            #expect(ready.status == 200)
            #expect((ready.json["buckets"] as? [String: String])?.values.allSatisfy { $0 == "ok" } == true)

            // Two of three servers gone: the third still carries requests, but no stream or bucket
            // can take a write (no quorum).
            cluster.servers[0].kill()
            cluster.servers[1].kill()
            for gateway in gateways {
                _ = try await eventually("requests through the last server", timeout: .seconds(20), every: .milliseconds(100)) {
                    try await gateway.get("/me", token: user.token).status == 200 ? true : nil
                }
            }
            let started = ContinuousClock.now
            let logout = try await system.client.post("/logout", json: [:], token: user.token)
            #expect(logout.status == 200, "the session ended in the database: \(logout.body)")
            #expect(ContinuousClock.now - started < .seconds(3), "answered without waiting for JetStream")
            // A server that led a bucket notices it lost its quorum within seconds; /readyz then says so.
            let unready = try await eventually("/readyz reporting the revocations unavailable", timeout: .seconds(30)) {
                let report = try await gateways[0].get("/readyz")
                let buckets = report.json["buckets"] as? [String: String]
                return buckets?[system.subjects.revocationsBucket] == "unavailable" ? report : nil
            }
            #expect(unready.status == 503)
            #expect(unready.json["nats"] as? String == "connected")

            try await cluster.servers[0].start()
            try await cluster.servers[1].start()
            let returned = ContinuousClock.now
            for gateway in gateways {
                _ = try await eventually("the revocation enforced by every gateway", timeout: .seconds(30), every: .milliseconds(100)) {
                    try await gateway.get("/me", token: user.token).status == 401 ? true : nil
                }
            }
            #expect(ContinuousClock.now - returned < .seconds(30))
        }
    }
}
