import AuthService
import BillingService
import Foundation
import GatewayService
import Logging
import NotifierService
import ServiceLifecycle
import StripeSandbox
import Synchronization
import TollgateBusAccess
import TollgateConfig
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit
import WebhookService

/// All five services in this process, each with its own NATS connection as its own identity (as
/// separate executables would have), a real nats-server that knows only those identities and lets
/// each do only its own work, SQLite (or PostgreSQL) databases in a temporary folder, and a prefix
/// of its own so tests run in parallel on one server. The credentials are made by the same code
/// `make run` uses, into the system's data folder, and the services find them there.
public final class TestSystem: Sendable {
    public struct Options: Sendable {
        public var extraRoutes: [RoutesFile.Route] = []
        /// gateway.yaml overrides of declared routes, by `"METHOD /path"`.
        public var overrides: [String: RoutesFile.Override] = [:]
        public var extraPolicies: [String: RoutesFile.Policy] = [:]
        /// A nats-server or a cluster the test controls (to stop and start it), started by the test
        /// before the system; by default each system gets a server of its own, stopped with it.
        public var nats: (any NatsDeployment)?
        public var authDatabaseURL: String?
        public var billingDatabaseURL: String?
        /// Keep gateway.yaml's rate limits as written; by default they are raised so tests that send
        /// many requests from one address are not throttled (the policy tests add their own).
        public var keepConfiguredRateLimits = false
        /// Extra variables for every service (they win over the test defaults).
        public var environment: [String: String] = [:]
        /// A Stripe stand-in Billing calls and whose events go to this system's Webhook service.
        public var stripe: StripeSandbox?

        public init() {}
    }

    public let nats: any NatsDeployment
    public let prefix: String
    public let data: TemporaryDirectory
    /// The variables every service reads (NATS_URL is the server's once it has started).
    public var environment: [String: String] {
        var environment = settings
        environment["NATS_URL"] = nats.url
        environment.merge(options.environment) { _, override in override }
        return environment
    }
    private let settings: [String: String]
    public let subjects: Subjects
    /// The time the gateway and Auth read: a test moves it forward instead of sleeping.
    public let clock = TimeSource()
    private let options: Options
    private let running = Mutex<[ServiceName: RunningService]>([:])
    /// Further instances of services (`startInstance`), by the name the test gave them.
    private let instances = Mutex<[String: RunningService]>([:])
    private let ports = Mutex<[ServiceName: Int]>([:])
    /// A user with no limits within this system, for the tests' own instruments (a responder on a
    /// test route, reading a stream to assert on it); never one of the services.
    public let harness = NKey.generateUser()

    private struct RunningService: Sendable {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let connection: NatsConnection
        let cleanUp: @Sendable () async -> Void
    }

    public var gatewayPort: Int { ports.withLock { $0[.gateway] ?? 0 } }
    public var webhookPort: Int { ports.withLock { $0[.webhook] ?? 0 } }
    public var client: GatewayClient { GatewayClient(port: gatewayPort) }
    public var mailDirectory: String { data.path + "/mail" }
    /// The endpoint secret the test system's Webhook service trusts.
    public static let stripeWebhookSecret = "whsec_tollgate_test_secret"

    private init(nats: any NatsDeployment, options: Options) throws {
        self.nats = nats
        self.options = options
        prefix = "t" + UUID().uuidString.prefix(12).lowercased().filter { $0.isLetter || $0.isNumber }
        subjects = Subjects(prefix: prefix)
        data = try TemporaryDirectory("tollgate-system")
        var environment = [
            "TOLLGATE_PREFIX": prefix,
            "TOLLGATE_DATA_DIR": data.path,
            "TOLLGATE_HTTP_HOST": "127.0.0.1",
            "TOLLGATE_HTTP_PORT": "0",
            "TOLLGATE_WEBHOOK_HOST": "127.0.0.1",
            "TOLLGATE_WEBHOOK_PORT": "0",
            "TOLLGATE_ARGON2_MEMORY_KIB": "1024",
            "TOLLGATE_ARGON2_ITERATIONS": "1",
            "TOLLGATE_LOG_LEVEL": "warning",
            "STRIPE_WEBHOOK_SECRET": TestSystem.stripeWebhookSecret,
        ]
        if let url = options.authDatabaseURL { environment["TOLLGATE_AUTH_DATABASE_URL"] = url }
        if let url = options.billingDatabaseURL { environment["TOLLGATE_BILLING_DATABASE_URL"] = url }
        if let stripe = options.stripe {
            environment["STRIPE_SECRET_KEY"] = StripeSandbox.secretKey
            environment["STRIPE_API_BASE"] = stripe.url
        }
        settings = environment
    }

    /// Runs `body` with a started system and always shuts it down afterwards. With `.postgres`,
    /// Auth and Billing each get a PostgreSQL database of their own, dropped afterwards.
    public static func with<Value>(
        _ options: Options = Options(), engine: DatabaseEngine = .sqlite, _ body: (TestSystem) async throws -> Value
    ) async throws -> Value {
        var options = options
        var databases: [TestDatabase] = []
        if engine == .postgres {
            let auth = try await TestDatabase.make(.postgres)
            let billing = try await TestDatabase.make(.postgres)
            databases = [auth, billing]
            options.authDatabaseURL = auth.url
            options.billingDatabaseURL = billing.url
        }
        let result: Result<Value, any Error>
        do {
            let system = try await start(options)
            do {
                result = .success(try await body(system))
            } catch {
                result = .failure(error)
            }
            await system.shutdown()
        } catch {
            result = .failure(error)
        }
        for database in databases { await database.drop() }
        return try result.get()
    }

    /// Starts every service and waits until the gateway reports ready.
    public static func start(_ options: Options = Options()) async throws -> TestSystem {
        // A server per system, not one shared: a shared server would take each system's identities
        // by reloading its configuration, which drops the reply permissions of other tests'
        // requests in flight.
        // Its identities are in the server's file before it starts, so no reload happens while
        // requests are in flight (a reload drops their reply permissions); a server the test
        // brings takes them by a reload before any traffic.
        let nats: any NatsDeployment = try options.nats ?? NatsServerProcess()
        let system = try TestSystem(nats: nats, options: options)
        try await system.authorizeIdentities()
        if options.nats == nil { try await nats.start() }
        for service in [ServiceName.auth, .billing, .notifier, .webhook, .gateway] {
            try await system.startService(service)
        }
        try await system.waitUntilReady()
        options.stripe?.deliverEvents(toPort: system.webhookPort)
        return system
    }

    public func waitUntilReady(timeout: Duration = .seconds(20)) async throws {
        let client = self.client
        _ = try await eventually("gateway ready", timeout: timeout, every: .milliseconds(50)) {
            try await client.get("/readyz").status == 200 ? true : nil
        }
    }

    /// Makes the system's credentials (as `make run` does) and has the server let them in, each
    /// identity with its permissions; the gateway may also reach the test's own routes.
    func authorizeIdentities() async throws {
        let report = try CredentialsFolder(layout: CredentialsLayout(dataDirectory: data.path)).prepare(subjects)
        let extraRoutes = options.extraRoutes.compactMap(\.subject)
        var users = BusIdentity.allCases.compactMap { identity in
            report.publicKeys[identity].map {
                NatsAuthorization.User(
                    label: "\(prefix) \(identity.rawValue)", publicKey: $0,
                    permissions: BusPermissions.of(identity, subjects, extraRoutes: extraRoutes))
            }
        }
        users.append(NatsAuthorization.User(label: "\(prefix) harness", publicKey: harness.publicKey, permissions: nil))
        try await nats.authorize(deployment: prefix, users: users, probe: harnessOptions(name: "probe"))
    }

    /// What every executable of this system reads from its environment.
    public var config: CommonConfig {
        get throws { try GatewayConfig.from(environment).common }
    }

    /// How `identity` connects, read from the system's environment as the executable would.
    public func options(as identity: BusIdentity, name: String? = nil) throws -> NatsClientOptions {
        try config.natsOptions(identity: identity, name: name ?? "test-\(identity.rawValue)")
    }

    /// A connection of the test's own, as one of the system's identities.
    public func connect(as identity: BusIdentity) async throws -> NatsConnection {
        try await NatsConnection.connect(try options(as: identity), logger: Logger(label: "test-\(identity.rawValue)"))
    }

    public func harnessOptions(name: String) -> NatsClientOptions {
        NatsClientOptions(
            url: nats.url, name: name, credentials: NatsCredentials(publicKey: harness.publicKey, seed: harness.seed),
            inboxPrefix: "_INBOX.\(prefix).harness")
    }

    /// A connection for the test's instruments, with no limits within this system.
    public func connectHarness() async throws -> NatsConnection {
        try await NatsConnection.connect(harnessOptions(name: "test-harness"), logger: Logger(label: "test-harness"))
    }

    /// `notifierFaults` applies when `service` is the Notifier.
    public func startService(_ service: ServiceName, notifierFaults: DeliveryFaults = DeliveryFaults()) async throws {
        let (entry, port) = try await launch(service, name: "test-\(service)", notifierFaults: notifierFaults)
        running.withLock { $0[service] = entry }
        if let port { ports.withLock { $0[service] = port } }
    }

    /// Starts another instance of `service` beside the first, as a second process of it would run
    /// (its own connection, the same identity, databases and queue groups); returns the HTTP port
    /// of a gateway or webhook instance.
    @discardableResult
    public func startInstance(_ service: ServiceName, name: String) async throws -> Int? {
        let (entry, port) = try await launch(service, name: name, notifierFaults: DeliveryFaults())
        instances.withLock { $0[name] = entry }
        return port
    }

    /// Stops an instance started by `startInstance`.
    public func stopInstance(_ name: String) async {
        guard let entry = instances.withLock({ $0.removeValue(forKey: name) }) else { return }
        await stop(entry)
    }

    private func launch(_ service: ServiceName, name: String, notifierFaults: DeliveryFaults) async throws
        -> (RunningService, Int?)
    {
        let logger = Self.logger(service)
        let connection = try await NatsConnection.connect(try options(as: BusIdentity(service), name: name), logger: logger)
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let reportPort: @Sendable (Int) async -> Void = { port in portContinuation.yield(port) }
        let services: [any Service]
        var cleanUp: @Sendable () async -> Void = {}
        switch service {
        case .auth:
            let auth = try await AuthService.start(
                config: .from(environment), connection: connection, logger: logger, clock: clock)
            services = auth.services
            cleanUp = { await auth.database.shutdown() }
        case .billing:
            let billing = try await BillingService.start(config: .from(environment), connection: connection, logger: logger)
            services = billing.services
            cleanUp = { await billing.database.shutdown() }
        case .notifier:
            let notifier = try await NotifierService.start(
                config: .from(environment), connection: connection, logger: logger, faults: notifierFaults)
            services = notifier.services
            cleanUp = { await notifier.database.shutdown() }
        case .webhook:
            services = [
                try await WebhookService.makeApplication(
                    config: try .from(environment), connection: connection, logger: logger, onServerRunning: reportPort)
            ]
        case .gateway:
            // Every gateway listens on port 0 here: named apart by instance, as hosts and ports name them.
            var gatewayEnvironment = environment
            if gatewayEnvironment["TOLLGATE_GATEWAY_INSTANCE"] == nil { gatewayEnvironment["TOLLGATE_GATEWAY_INSTANCE"] = name }
            services = [
                try GatewayService.makeApplication(
                    config: .from(gatewayEnvironment), routesFile: try routesFile(), connection: connection, logger: logger,
                    clock: clock, onServerRunning: reportPort)
            ]
        }
        let group = ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        let entry = RunningService(group: group, task: task, connection: connection, cleanUp: cleanUp)
        guard service == .gateway || service == .webhook else { return (entry, nil) }
        var iterator = portStream.makeAsyncIterator()
        return (entry, await iterator.next())
    }

    /// Stops one service as if its process ended: it no longer answers on NATS.
    public func stopService(_ service: ServiceName) async {
        guard let entry = running.withLock({ $0.removeValue(forKey: service) }) else { return }
        await stop(entry)
    }

    private func stop(_ entry: RunningService) async {
        await entry.group.triggerGracefulShutdown()
        _ = try? await entry.task.value
        await entry.connection.drain()
        await entry.cleanUp()
    }

    public func shutdown() async {
        for name in instances.withLock({ Array($0.keys) }) { await stopInstance(name) }
        for service in [ServiceName.gateway, .webhook, .notifier, .billing, .auth] {
            await stopService(service)
        }
        if options.nats == nil { nats.stop() }
        data.remove()
    }

    /// The real `gateway-config/gateway.yaml`, plus the test's own routes and policies.
    func routesFile() throws -> RoutesFile {
        var file = try RoutesFile.load(path: Self.repositoryRoot + "/gateway-config/gateway.yaml")
        if !options.keepConfiguredRateLimits {
            file.policies = file.policies.mapValues { policy in
                RoutesFile.Policy(limit: policy.limit * 1000, windowSeconds: policy.windowSeconds, key: policy.key)
            }
        }
        file.routes += options.extraRoutes
        file.overrides.merge(options.overrides) { _, new in new }
        file.policies.merge(options.extraPolicies) { _, new in new }
        return file
    }

    /// Auth's database, opened beside the running service (for assertions on stored rows).
    public func authDatabase() throws -> ServiceDatabase {
        try openDatabase("TOLLGATE_AUTH_DATABASE_URL", service: "auth")
    }

    /// Billing's database, opened beside the running service.
    public func billingDatabase() throws -> ServiceDatabase {
        try openDatabase("TOLLGATE_BILLING_DATABASE_URL", service: "billing")
    }

    /// A service's database as the system configured it (its SQLite file by default).
    private func openDatabase(_ variable: String, service: String) throws -> ServiceDatabase {
        let url = environment[variable] ?? "sqlite://\(data.path)/\(service).sqlite"
        guard let location = DatabaseLocation(url: url) else { throw DeadlineExceeded(what: "\(service) database URL") }
        return try ServiceDatabase(location: location, logger: Logger(label: "test-\(service)-db"))
    }

    /// Every `.eml` file in the mail folder addressed to `address`.
    public func emails(to address: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.compactMap { name in
            try? String(contentsOfFile: "\(mailDirectory)/\(name)", encoding: .utf8)
        }.filter { $0.contains("<\(address)>") || $0.contains("To: \(address)") }
    }

    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    static func logger(_ service: ServiceName) -> Logger {
        var logger = Logger(label: "test-\(service.rawValue)")
        logger.logLevel = ProcessInfo.processInfo.environment["TOLLGATE_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }
}
