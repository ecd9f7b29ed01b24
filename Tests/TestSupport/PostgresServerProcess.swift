import Foundation

/// A PostgreSQL server of the test's own (its own data folder and port), which the test may stop
/// and start again: what a database going away and coming back looks like to the services. Needs
/// the server's binaries (`apt-get install postgresql`; CI has them); as root it runs them as the
/// `postgres` user, since PostgreSQL refuses to run as root.
public final class PostgresServerProcess: Sendable {
    public let port: Int
    private let folder: String
    private let binaries: String

    /// The newest installed server's binaries, if any.
    public static let binaryFolder: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().last.map { "\(root)/\($0)/bin" }
            .flatMap { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") ? $0 : nil }
    }()

    public static var isAvailable: Bool { binaryFolder != nil }

    /// Makes a new cluster and starts it.
    public init() throws {
        guard let binaries = Self.binaryFolder else { throw DeadlineExceeded(what: "PostgreSQL's server binaries") }
        self.binaries = binaries
        port = try FreePort.next()
        folder = "/tmp/tollgate-pg-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", folder]) }
        try Self.run(binaries + "/initdb", ["-D", "\(folder)/data", "-U", "postgres", "--auth=trust", "-N"], asOwner: true)
        try start()
    }

    /// `postgres://…/postgres` on this server; name another database in the path.
    public func url(database: String = "postgres") -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)"
    }

    public func start() throws {
        try Self.run(
            binaries + "/pg_ctl",
            ["-D", "\(folder)/data", "-l", "\(folder)/log", "-w", "-o",
             "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
            asOwner: true)
    }

    /// Stops the server (`fast`: open sessions are ended, as in a restart or an outage).
    public func stop() throws {
        try Self.run(binaries + "/pg_ctl", ["-D", "\(folder)/data", "-m", "fast", "-w", "stop"], asOwner: true)
    }

    public func createDatabase(_ name: String) throws {
        try Self.run(binaries + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
    }

    /// Stops the server and removes its folder.
    public func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func run(_ executable: String, _ arguments: [String], asOwner: Bool = false) throws {
        let process = Process()
        if asOwner && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DeadlineExceeded(what: "\(URL(fileURLWithPath: executable).lastPathComponent) to succeed (status \(process.terminationStatus))")
        }
    }
}
