import Foundation
import Logging
import TollgateMessaging

/// A connection to the shared test nats-server as its harness user (for tests of the messaging
/// layer; tests of the services connect as the services' own identities), and a subject prefix
/// no other test uses.
public struct TestNats: Sendable {
    public let server: NatsServerProcess
    public let connection: NatsConnection
    public let prefix: String

    public static func connect() async throws -> TestNats {
        let server = try await NatsServerProcess.shared()
        let connection = try await NatsConnection.connect(server.harnessOptions(name: "test"), logger: Logger(label: "test"))
        return TestNats(
            server: server, connection: connection,
            prefix: "m" + UUID().uuidString.prefix(12).lowercased().filter { $0.isLetter || $0.isNumber })
    }

    public func subject(_ name: String) -> String { "\(prefix).\(name)" }

    /// A second, independent connection to the same server.
    public func anotherConnection() async throws -> NatsConnection {
        try await NatsConnection.connect(server.harnessOptions(name: "test-2"), logger: Logger(label: "test"))
    }
}

/// The process's resident memory in bytes, from /proc (Linux).
public enum ResidentMemory {
    public static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
