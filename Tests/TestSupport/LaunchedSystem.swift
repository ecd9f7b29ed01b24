import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `.ci/launch` (what `make run` and `make cluster` run) started by a test with the executables
/// this build made, its output in a log file, and its descendants found through /proc.
public final class LaunchedSystem: Sendable {
    public let process: Process
    public let log: String

    /// Starts the launcher with `arguments` and `environment` (PATH and the built executables'
    /// folder are added).
    public init(arguments: [String] = [], environment: [String: String], log: String) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let launcher = Process()
        // Started from a test's thread, a child inherits that thread's blocked signals (SIGTERM and
        // SIGCHLD among them), which a shell cannot unblock: python does, then becomes the launcher.
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        launcher.arguments = [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            TestSystem.repositoryRoot + "/.ci/launch",
        ] + arguments
        // Without a Stripe key the launcher starts the Stripe sandbox: on a port of its own, not 8082.
        var defaults = ["PATH": "/usr/sbin:/usr/bin:/bin", "TOLLGATE_BIN_DIR": BuiltExecutables.directory.path]
        defaults["TOLLGATE_STRIPE_SANDBOX_PORT"] = String(try FreePort.next())
        launcher.environment = defaults.merging(environment) { _, given in given }
        launcher.standardOutput = FileHandle(forWritingAtPath: log)
        launcher.standardError = launcher.standardOutput
        try launcher.run()
        process = launcher
    }

    public var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Every process the launcher started, and theirs.
    public var descendants: [Int32] { Self.descendants(of: process.processIdentifier) }

    /// The launched process running `executable` (`auth`, or a full path) whose command line or
    /// environment holds `marker`, if given.
    public func process(named executable: String, marker: String? = nil) -> Int32? {
        let path = executable.hasPrefix("/") ? executable : BuiltExecutables.url(executable).path
        return descendants.first { pid in
            Self.command(of: pid).hasPrefix(path)
                && (marker.map { Self.command(of: pid).contains($0) || Self.environment(of: pid).contains($0) } ?? true)
        }
    }

    /// Ends the launcher and everything it started at once (a test that failed midway).
    public func kill() {
        guard process.isRunning else { return }
        for pid in descendants { Glibc.kill(pid, SIGKILL) }
        process.terminate()
    }

    static func descendants(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let children = text.split(separator: " ").compactMap { Int32($0) }
        return children + children.flatMap(descendants)
    }

    public static func command(of pid: Int32) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// The process's environment, `NAME=value` separated by spaces.
    static func environment(of pid: Int32) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    public static func isZombie(_ pid: Int32) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.contains("State:\tZ")
    }
}
