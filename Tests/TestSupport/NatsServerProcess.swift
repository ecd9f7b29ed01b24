import Foundation
import Synchronization

/// A real `nats-server` with JetStream, on a free loopback port, storing under a temporary folder.
/// It can be stopped and started again on the same port and store (to test reconnection).
public final class NatsServerProcess: Sendable {
    public let port: Int
    public let storeDirectory: TemporaryDirectory
    private let process = Mutex<Process?>(nil)

    public var url: String { "nats://127.0.0.1:\(port)" }

    public init() throws {
        port = try FreePort.next()
        storeDirectory = try TemporaryDirectory("tollgate-nats")
    }

    /// Starts a server for the whole test process, shared by tests (each uses its own prefix).
    public static func shared() async throws -> NatsServerProcess {
        try await SharedNats.instance.get()
    }

    public func start() async throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try NatsServerProcess.executable())
        server.arguments = ["-js", "-sd", storeDirectory.path, "-a", "127.0.0.1", "-p", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        ChildProcesses.track(server.processIdentifier)
        process.withLock { $0 = server }
        let port = self.port
        _ = try await eventually("nats-server listening on \(port)") { FreePort.isListening(port) ? true : nil }
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
