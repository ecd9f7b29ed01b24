import Foundation
import Logging
import TollgateBusAccess
import TollgateMessaging
import TollgateSecurity

/// Three (or more) real nats-servers routed into one cluster with JetStream, on loopback ports, the
/// routes authenticated with a password as `tollgate-credentials cluster` writes them. Servers
/// can be killed and started again one at a time.
public final class NatsCluster: NatsDeployment {
    public let servers: [NatsServerProcess]

    /// `tags`: each server's `server_tags`, by index (none by default).
    public init(size: Int = 3, tags: [[String]] = []) throws {
        let routePorts = try (0..<size).map { _ in try FreePort.next() }
        let clientPorts = try (0..<size).map { _ in try FreePort.next() }
        let peers = routePorts.map { NatsClusterNode.Address(host: "127.0.0.1", port: $0) }
        let password = SecureRandom.token()
        let harness = NKey.generateUser()
        servers = try (0..<size).map { index in
            try NatsServerProcess(harness: harness) { store in
                var node = NatsClusterNode(
                    serverName: "node-\(index + 1)", clusterName: "tollgate-test", client: .init(host: "127.0.0.1", port: clientPorts[index]),
                    route: peers[index], peers: peers, storeDirectory: store.path + "/jetstream", routePassword: password,
                    authorizationFile: "authorization.conf")
                node.serverTags = index < tags.count ? tags[index] : []
                return node
            }
        }
    }

    public var url: String { servers.map(\.url).joined(separator: ",") }
    public var clientPorts: [Int] { servers.map(\.port) }
    public var storeDirectories: [String] { servers.map(\.storeDirectory.path) }

    /// Options to connect as the harness user of the first server (every server knows it).
    public func harnessOptions(name: String, inboxPrefix: String = "_INBOX.harness") -> NatsClientOptions {
        let harness = servers[0].harness
        return NatsClientOptions(
            url: url, name: name, credentials: NatsCredentials(publicKey: harness.publicKey, seed: harness.seed),
            inboxPrefix: inboxPrefix)
    }

    public func authorize(deployment: String, users: [NatsAuthorization.User], probe: NatsClientOptions) async throws {
        for server in servers {
            var probe = probe
            probe.url = server.url
            try await server.authorize(deployment: deployment, users: users, probe: probe)
        }
    }

    /// Starts every server, then waits until JetStream has a leader (streams can be made).
    public func start() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { try await server.start() } }
            try await group.waitForAll()
        }
        try await waitForJetStream()
    }

    public func stop() {
        for server in servers { server.stop() }
    }

    /// Waits until the cluster answers JetStream's account information without error and can place
    /// a stream on every server (before every server has joined, that fails with "no suitable peers").
    public func waitForJetStream(timeout: Duration = .seconds(30)) async throws {
        var logger = Logger(label: "nats-cluster-probe")
        logger.logLevel = .critical
        let connection = try await NatsConnection.connect(harnessOptions(name: "cluster-probe"), logger: logger)
        defer { Task { await connection.drain(timeout: .milliseconds(200)) } }
        _ = try await eventually("the cluster's JetStream has a leader", timeout: timeout, every: .milliseconds(100)) { () -> Bool? in
            let reply = try? await connection.request("$JS.API.INFO", timeout: .seconds(1))
            guard let reply, let answer = try? JSONSerialization.jsonObject(with: reply.payload) as? [String: Any],
                answer["error"] == nil
            else { return nil }
            return true
        }
        let jetStream = try connection.jetStream(timeout: .seconds(2))
        _ = try await eventually("a stream placed on every server", timeout: timeout, every: .milliseconds(200)) { () -> Bool? in
            guard (try? await jetStream.createOrUpdateStream(
                StreamSettings(name: "CLUSTER_PROBE", subjects: ["cluster-probe"], replicas: servers.count))) != nil
            else { return nil }
            return true
        }
        _ = try await connection.request("$JS.API.STREAM.DELETE.CLUSTER_PROBE", timeout: .seconds(5))
    }
}
