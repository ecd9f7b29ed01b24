import Foundation
import Testing
import TollgateTestSupport

/// `make run` without STRIPE_SECRET_KEY: the launcher starts `tollgate-stripe-sandbox`, Billing and
/// the Webhook service use it, and `tollgate-stripe-sandbox advance` (same environment) moves its
/// clock. Every part is the built executable.
@Suite("make run without Stripe keys runs the Stripe sandbox")
struct SandboxLaunchTests {
    /// Runs a built executable to its end: exit status and standard output and error.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = BuiltExecutables.url(executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("subscribe and pay on the sandbox's page, advance 31 days from the command line: renewed; a killed sandbox comes back with its state")
    func launchedSandbox() async throws {
        let data = try TemporaryDirectory("tollgate-sandbox-launch")
        defer { data.remove() }
        let (http, webhook, nats, sandboxPort) = (try FreePort.next(), try FreePort.next(), try FreePort.next(), try FreePort.next())
        let environment = [
            "TOLLGATE_DATA_DIR": data.path + "/data", "TOLLGATE_HTTP_PORT": String(http), "TOLLGATE_WEBHOOK_PORT": String(webhook),
            "TOLLGATE_NATS_PORT": String(nats), "TOLLGATE_STRIPE_SANDBOX_PORT": String(sandboxPort),
            "TOLLGATE_HTTP_HOST": "127.0.0.1", "TOLLGATE_WEBHOOK_HOST": "127.0.0.1",
            "TOLLGATE_ARGON2_MEMORY_KIB": "1024", "TOLLGATE_ARGON2_ITERATIONS": "1", "TOLLGATE_LOG_LEVEL": "warning",
        ]
        let launched = try LaunchedSystem(environment: environment, log: data.path + "/launch.log")
        defer { launched.kill() }
        let gateway = GatewayClient(port: http)
        _ = try await eventually("the system is ready", timeout: .seconds(60), every: .milliseconds(200)) {
            try await gateway.get("/readyz").status == 200 ? true : nil
        }
        #expect(launched.logText.contains("PAYMENTS ARE SIMULATED"))
        #expect(launched.logText.contains("SANDBOX at http://localhost:\(sandboxPort)"))

        let admin = try Self.run(
            "auth", ["create-admin", "--email", "sandbox@example.com", "--username", "sandboxer"],
            environment: environment.merging(["TOLLGATE_ADMIN_PASSWORD": "amber-lantern-7", "NATS_URL": "nats://127.0.0.1:\(nats)"]) { $1 })
        #expect(admin.0 == 0, "\(admin.1)")
        let login = try await gateway.post("/login", json: ["email": "sandbox@example.com", "password": "amber-lantern-7"])
        let token = try #require(login.json["token"] as? String, "\(login.text)")

        var subscribe: HTTPResult?
        // Billing puts the plans at Stripe (here: the sandbox) as it starts; until then subscribe waits.
        let url = try await eventually("a Checkout URL", timeout: .seconds(30), every: .milliseconds(200)) { () -> String? in
            let answer = try await gateway.send(
                .post, "/billing/subscriptions/subscribe", headers: ["Authorization": "Bearer \(token)"],
                body: Data(#"{"plan_code":"pro"}"#.utf8))
            subscribe = answer
            return answer.json["checkout_url"] as? String
        }
        #expect(subscribe?.status == 201)
        #expect(url.hasPrefix("http://localhost:\(sandboxPort)/checkout/cs_test_"))
        let paid = try await SandboxBrowser.submit(on: url, button: "Subscribe", ["card_number": "4242 4242 4242 4242"])
        #expect(paid.status == 303, "\(paid.text)")
        _ = try await eventually("active", timeout: .seconds(20)) {
            try await gateway.get("/billing/subscriptions/me", token: token).json["status"] as? String == "active" ? true : nil
        }

        for days in ["0", "-1", "abc", "1831", "9223372036854775807", "99999999999999999999"] {
            let refused = try Self.run("stripe-sandbox", ["advance", "--days", days], environment: environment)
            #expect(refused.0 != 0, "--days \(days)")
            #expect(refused.1.contains("--days") || refused.1.contains("days"), "\(refused.1)")
        }
        let advanced = try Self.run("stripe-sandbox", ["advance", "--days", "31"], environment: environment)
        #expect(advanced.0 == 0, "\(advanced.1)")
        #expect(advanced.1.contains("invoice.paid"), "\(advanced.1)")
        _ = try await eventually("the renewal's payment", timeout: .seconds(20)) {
            try await gateway.get("/billing/payments/me", token: token).jsonArray.count == 2 ? true : nil
        }
        _ = try await eventually("the renewal email in the dev mail folder", timeout: .seconds(20)) {
            let folder = data.path + "/data/mail"
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return files.contains { (try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8))?.contains("was renewed") == true } ? true : nil
        }

        // The sandbox dies: the launcher restarts it, the rest keeps serving, and it comes back with its state.
        let sandbox = try #require(launched.process(named: "stripe-sandbox"))
        kill(sandbox, SIGKILL)
        #expect(try await gateway.get("/readyz").status == 200)
        let portal = try await eventually("the portal through a restarted sandbox", timeout: .seconds(30), every: .milliseconds(200)) {
            () -> String? in
            let answer = try await gateway.send(.post, "/billing/portal", headers: ["Authorization": "Bearer \(token)"])
            return answer.json["url"] as? String
        }
        let page = try await SandboxBrowser.open(portal)
        #expect(page.status == 200)
        #expect(page.text.contains("visa •••• 4242"), "the customer and card were kept")
    }
}
