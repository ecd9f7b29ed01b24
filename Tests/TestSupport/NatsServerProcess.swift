import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TollgateBusAccess
import TollgateMessaging
import TollgateSecurity

/// A real `nats-server` with JetStream, on a loopback port it picks itself, storing under a temporary folder,
/// with authentication on: it knows only the users registered with `authorize` (each test
/// system's identities, with the permissions `BusPermissions` gives them) and a harness user for
/// the messaging tests, and refuses everyone else. Registering rewrites its authorization file
/// and reloads it. It can be stopped and started again on the same port and store (to test
/// reconnection).
public final class NatsServerProcess: NatsDeployment {
    /// The port the server chose at its first start, kept for every restart.
    private let chosenPort = Mutex<Int?>(nil)
    public var port: Int { chosenPort.withLock { $0 } ?? 0 }
    public let storeDirectory: TemporaryDirectory
    /// A user with no limits, for tests of the messaging layer itself (not of the permissions).
    public let harness: NKey
    private let process = Mutex<Process?>(nil)
    private let registry = AuthorizationRegistry()
    private let tls: TLSFiles?
    /// Set for a server of a cluster: its name, routes and the route password.
    private let clusterNode: NatsClusterNode?

    /// The certificate and key a `tls://` server presents, and the CA file that trusts it.
    public struct TLSFiles: Sendable {
        public let certificate: String
        public let key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public var url: String { "\(tls == nil ? "nats" : "tls")://127.0.0.1:\(port)" }
    var configPath: String { storeDirectory.path + "/server.conf" }
    var authorizationPath: String { storeDirectory.path + "/authorization.conf" }

    public init(tls: TLSFiles? = nil) throws {
        storeDirectory = try TemporaryDirectory("tollgate-nats")
        self.tls = tls
        harness = NKey.generateUser()
        clusterNode = nil
        try writeAuthorization([])
    }

    /// A server of a cluster, on the ports its node says (chosen by the cluster beforehand, since
    /// every server must know the others' route ports).
    init(harness: NKey, clusterNode: (TemporaryDirectory) -> NatsClusterNode) throws {
        storeDirectory = try TemporaryDirectory("tollgate-nats")
        tls = nil
        self.harness = harness
        let node = clusterNode(storeDirectory)
        self.clusterNode = node
        chosenPort.withLock { $0 = node.client.port }
        try writeAuthorization([])
    }

    public var clientPorts: [Int] { [port] }
    public var storeDirectories: [String] { [storeDirectory.path] }

    /// Starts a server for the whole test process, shared by tests (each uses its own prefix).
    public static func shared() async throws -> NatsServerProcess {
        try await SharedNats.instance.get()
    }

    /// Options to connect as the harness user.
    public func harnessOptions(name: String, inboxPrefix: String = "_INBOX.harness") -> NatsClientOptions {
        NatsClientOptions(
            url: url, name: name, credentials: NatsCredentials(publicKey: harness.publicKey, seed: harness.seed),
            inboxPrefix: inboxPrefix)
    }

    /// Lets these users in (replacing what `deployment` had before), and returns once the server
    /// has taken them: `probe` connects as one of them. Before `start`, only writes the file.
    public func authorize(deployment: String, users: [NatsAuthorization.User], probe: NatsClientOptions) async throws {
        // Written and signalled one change at a time: a later file always holds every earlier user.
        let running = try await registry.set(deployment, users) { all in
            try writeAuthorization(all)
            guard let pid = process.withLock({ $0?.processIdentifier }) else { return false }
            Glibc.kill(pid, SIGHUP)
            return true
        }
        guard running else { return }
        var logger = Logger(label: "nats-probe")
        logger.logLevel = .critical
        _ = try await eventually("nats-server took the users of \(deployment)", timeout: .seconds(10), every: .milliseconds(20)) {
            let connection = try await NatsConnection.connect(probe, logger: logger)
            await connection.drain(timeout: .milliseconds(200))
            return true
        }
    }

    /// The first start lets the server pick a free port (and report it in a ports file), so that
    /// servers starting at once never race for one; later starts reuse it.
    public func start() async throws {
        let fixedPort = chosenPort.withLock { $0 }
        var config = """
            host: "127.0.0.1"
            port: \(fixedPort ?? -1)
            ports_file_dir: "\(storeDirectory.path)"
            jetstream { store_dir: "\(storeDirectory.path)" }
            include "authorization.conf"

            """
        if let tls { config += "tls { cert_file: \"\(tls.certificate)\", key_file: \"\(tls.key)\" }\n" }
        if let clusterNode { config = clusterNode.rendered() }
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try NatsServerProcess.executable())
        // Its log stays beside its store (the shared server's outlives the run, for a failure's post-mortem).
        server.arguments = ["-c", configPath, "-l", storeDirectory.path + "/server.log"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        ChildProcesses.track(server.processIdentifier)
        process.withLock { $0 = server }
        let portsFile = "\(storeDirectory.path)/nats-server_\(server.processIdentifier).ports"
        let port = try await eventually("nats-server reporting its port") { () -> Int? in
            guard server.isRunning else { throw DeadlineExceeded(what: "nats-server exited at start") }
            return fixedPort ?? Self.clientPort(inPortsFile: portsFile)
        }
        chosenPort.withLock { $0 = port }
        _ = try await eventually("nats-server listening on \(port)") { FreePort.isListening(port) ? true : nil }
    }

    /// `{"nats":["nats://127.0.0.1:PORT"], …}`, as nats-server writes it.
    private static func clientPort(inPortsFile path: String) -> Int? {
        struct Ports: Decodable { let nats: [String]? }
        guard let data = FileManager.default.contents(atPath: path),
            let url = (try? JSONDecoder().decode(Ports.self, from: data))?.nats?.first,
            let colon = url.lastIndex(of: ":")
        else { return nil }
        return Int(url[url.index(after: colon)...])
    }

    private func writeAuthorization(_ users: [NatsAuthorization.User]) throws {
        let harnessUser = NatsAuthorization.User(label: "test harness", publicKey: harness.publicKey, permissions: nil)
        let text = NatsAuthorization(users: [harnessUser] + users).rendered()
        try text.write(toFile: authorizationPath + ".new", atomically: false, encoding: .utf8)
        guard rename(authorizationPath + ".new", authorizationPath) == 0 else {
            throw DeadlineExceeded(what: "cannot write \(authorizationPath)")
        }
    }

    /// Ends the server at once, as a crash or a lost machine would (`stop` lets it shut down).
    public func kill() {
        let server = process.withLock { process -> Process? in
            defer { process = nil }
            return process
        }
        guard let server else { return }
        ChildProcesses.untrack(server.processIdentifier)
        Glibc.kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    public func stop() {
        let server = process.withLock { process -> Process? in
            defer { process = nil }
            return process
        }
        guard let server else { return }
        ChildProcesses.untrack(server.processIdentifier)
        guard server.isRunning else { return }
        server.terminate()
        server.waitUntilExit()
    }

    static func executable() throws -> String {
        for candidate in ["/usr/bin/nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server", "/opt/homebrew/bin/nats-server"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw DeadlineExceeded(what: "nats-server is not installed (apt-get install nats-server)")
    }

    deinit {
        stop()
        storeDirectory.remove()
    }
}

/// The users of every deployment a server serves, changed one deployment at a time.
actor AuthorizationRegistry {
    private var deployments: [String: [NatsAuthorization.User]] = [:]

    /// Records the change and hands every user, in a stable order, to `apply`, within the actor.
    func set<Result>(
        _ deployment: String, _ users: [NatsAuthorization.User], apply: ([NatsAuthorization.User]) throws -> Result
    ) throws -> Result {
        deployments[deployment] = users
        return try apply(deployments.keys.sorted().flatMap { deployments[$0] ?? [] })
    }
}

/// One nats-server for every test that does not need its own.
actor SharedNats {
    static let instance = SharedNats()
    /// A task, not a server: tests asking while it starts must wait for the same one.
    private var starting: Task<NatsServerProcess, any Error>?

    func get() async throws -> NatsServerProcess {
        if let starting { return try await starting.value }
        let task = Task {
            let server = try NatsServerProcess()
            try await server.start()
            return server
        }
        starting = task
        return try await task.value
    }
}
