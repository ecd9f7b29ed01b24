import Foundation
import Testing
import TollgateTestSupport

/// `make run`'s launcher, with the executables this build made.
@Suite("The launcher keeps the system up when one process dies")
struct LauncherTests {
    /// Every process below `pid` (Linux keeps each task's children in /proc).
    static func descendants(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let children = text.split(separator: " ").compactMap { Int32($0) }
        return children + children.flatMap(descendants)
    }

    static func command(of pid: Int32) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    static func isZombie(_ pid: Int32) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.contains("State:\tZ")
    }

    static func process(named executable: String, under launcher: Int32) -> Int32? {
        descendants(of: launcher).first { command(of: $0).hasPrefix(BuiltExecutables.url(executable).path) }
    }

    @Test("a service killed with SIGKILL is restarted with a loud line; the gateway keeps answering; SIGTERM stops all")
    func restartsADeadService() async throws {
        let data = try TemporaryDirectory("tollgate-launch")
        defer { data.remove() }
        let (http, webhook, nats) = (try FreePort.next(), try FreePort.next(), try FreePort.next())
        let log = data.path + "/launch.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let launcher = Process()
        // Started from a test's thread, a child inherits that thread's blocked signals (SIGTERM and
        // SIGCHLD among them), which a shell cannot unblock: python does, then becomes the launcher.
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        launcher.arguments = [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            TestSystem.repositoryRoot + "/.ci/launch",
        ]
        launcher.environment = [
            "PATH": "/usr/sbin:/usr/bin:/bin", "TOLLGATE_BIN_DIR": BuiltExecutables.directory.path,
            "TOLLGATE_DATA_DIR": data.path + "/data", "TOLLGATE_HTTP_PORT": String(http),
            "TOLLGATE_WEBHOOK_PORT": String(webhook), "TOLLGATE_NATS_PORT": String(nats),
            "TOLLGATE_HTTP_HOST": "127.0.0.1", "TOLLGATE_WEBHOOK_HOST": "127.0.0.1",
            "TOLLGATE_ARGON2_MEMORY_KIB": "1024", "TOLLGATE_ARGON2_ITERATIONS": "1", "TOLLGATE_LOG_LEVEL": "warning",
        ]
        launcher.standardOutput = FileHandle(forWritingAtPath: log)
        launcher.standardError = launcher.standardOutput
        try launcher.run()
        defer { if launcher.isRunning { kill(-launcher.processIdentifier, SIGKILL); launcher.terminate() } }
        let gateway = GatewayClient(port: http)
        _ = try await eventually("the system is ready", timeout: .seconds(60), every: .milliseconds(200)) {
            try await gateway.get("/readyz").status == 200 ? true : nil
        }
        let auth = try #require(Self.process(named: "auth", under: launcher.processIdentifier))
        kill(auth, SIGKILL)
        _ = try await eventually("the launcher says so", timeout: .seconds(10)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.contains("auth exited with status 137; restarting it") ? true : nil
        }
        #expect(launcher.isRunning, "the launcher did not stop everything")
        #expect(try await gateway.get("/healthz").status == 200, "the gateway kept running")
        let restarted = try await eventually("auth is back", timeout: .seconds(30), every: .milliseconds(200)) {
            Self.process(named: "auth", under: launcher.processIdentifier).flatMap { $0 == auth ? nil : $0 }
        }
        #expect(restarted != auth)
        _ = try await eventually("ready again", timeout: .seconds(30), every: .milliseconds(200)) {
            try await gateway.get("/readyz").status == 200 ? true : nil
        }
        let register = try await gateway.post(
            "/register", json: ["email": "lazarus@example.com", "username": "lazarus", "password": "back-from-the-dead"])
        #expect(register.status == 201, "\(register.text)")

        let children = Self.descendants(of: launcher.processIdentifier)
        launcher.terminate()
        let stopped = Task.detached { launcher.waitUntilExit() }
        _ = try await eventually("the launcher stops", timeout: .seconds(20), every: .milliseconds(100)) {
            launcher.isRunning ? nil : true
        }
        await stopped.value
        #expect(launcher.terminationStatus == 0)
        let running = { children.filter { kill($0, 0) == 0 && !Self.isZombie($0) } }
        _ = try? await eventually("every process the launcher started has ended", timeout: .seconds(10)) {
            running().isEmpty ? true : nil
        }
        #expect(running().isEmpty, "left running: \(running().map(Self.command))")
    }
}
