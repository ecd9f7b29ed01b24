import Foundation
import Testing
import TollgateTestSupport

/// `make run`'s launcher, with the executables this build made.
@Suite("The launcher keeps the system up when one process dies")
struct LauncherTests {
    @Test("a service killed with SIGKILL is restarted with a loud line; the gateway keeps answering; SIGTERM stops all")
    func restartsADeadService() async throws {
        let data = try TemporaryDirectory("tollgate-launch")
        defer { data.remove() }
        let (http, webhook, nats) = (try FreePort.next(), try FreePort.next(), try FreePort.next())
        let launched = try LaunchedSystem(
            environment: [
                "TOLLGATE_DATA_DIR": data.path + "/data", "TOLLGATE_HTTP_PORT": String(http),
                "TOLLGATE_WEBHOOK_PORT": String(webhook), "TOLLGATE_NATS_PORT": String(nats),
                "TOLLGATE_HTTP_HOST": "127.0.0.1", "TOLLGATE_WEBHOOK_HOST": "127.0.0.1",
                "TOLLGATE_ARGON2_MEMORY_KIB": "1024", "TOLLGATE_ARGON2_ITERATIONS": "1", "TOLLGATE_LOG_LEVEL": "warning",
            ],
            log: data.path + "/launch.log")
        let launcher = launched.process
        defer { launched.kill() }
        let gateway = GatewayClient(port: http)
        _ = try await eventually("the system is ready", timeout: .seconds(60), every: .milliseconds(200)) {
            try await gateway.get("/readyz").status == 200 ? true : nil
        }
        let auth = try #require(launched.process(named: "auth"))
        kill(auth, SIGKILL)
        _ = try await eventually("the launcher says so", timeout: .seconds(10)) {
            return launched.logText.contains("auth exited with status 137; restarting it") ? true : nil
        }
        #expect(launcher.isRunning, "the launcher did not stop everything")
        #expect(try await gateway.get("/healthz").status == 200, "the gateway kept running")
        let restarted = try await eventually("auth is back", timeout: .seconds(30), every: .milliseconds(200)) {
            launched.process(named: "auth").flatMap { $0 == auth ? nil : $0 }
        }
        #expect(restarted != auth)
        _ = try await eventually("ready again", timeout: .seconds(30), every: .milliseconds(200)) {
            try await gateway.get("/readyz").status == 200 ? true : nil
        }
        let register = try await gateway.post(
            "/register", json: ["email": "lazarus@example.com", "username": "lazarus", "password": "back-from-the-dead"])
        #expect(register.status == 201, "\(register.text)")

        let children = launched.descendants
        launcher.terminate()
        let stopped = Task.detached { launcher.waitUntilExit() }
        _ = try await eventually("the launcher stops", timeout: .seconds(20), every: .milliseconds(100)) {
            launcher.isRunning ? nil : true
        }
        await stopped.value
        #expect(launcher.terminationStatus == 0)
        let running = { children.filter { kill($0, 0) == 0 && !LaunchedSystem.isZombie($0) } }
        _ = try? await eventually("every process the launcher started has ended", timeout: .seconds(10)) {
            running().isEmpty ? true : nil
        }
        #expect(running().isEmpty, "left running: \(running().map(LaunchedSystem.command))")
    }
}
