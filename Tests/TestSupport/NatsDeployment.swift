import TollgateBusAccess
import TollgateMessaging

/// What a test system needs of its NATS: one server (`NatsServerProcess`) or a cluster of them
/// (`NatsCluster`).
public protocol NatsDeployment: Sendable {
    /// Every client URL, comma-separated (`NATS_URL`).
    var url: String { get }
    var clientPorts: [Int] { get }
    var storeDirectories: [String] { get }
    /// Lets these users in on every server, and returns once they are taken.
    func authorize(deployment: String, users: [NatsAuthorization.User], probe: NatsClientOptions) async throws
    func start() async throws
    func stop()
}
