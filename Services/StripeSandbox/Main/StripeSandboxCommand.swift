import ArgumentParser
import Foundation
import StripeSandbox
import UnixSignals

/// `tollgate-stripe-sandbox`: a Stripe for development and CI, which `make run` starts when
/// STRIPE_SECRET_KEY is not set. `serve` (the default) runs it; `advance --days N` moves its clock;
/// `print-secret` prints the key Billing calls it with or the secret its events are signed with.
@main
struct StripeSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-stripe-sandbox",
        abstract: "A Stripe sandbox for development and CI: simulated payments, Stripe's wire format.",
        subcommands: [Serve.self, Advance.self, PrintSecret.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the sandbox until SIGTERM or SIGINT.")

    func run() async throws {
        let config = try SandboxConfig.from(ProcessInfo.processInfo.environment)
        let store = SandboxStore(dataDirectory: config.dataDirectory)
        let credentials = try store.credentials()
        var options = StripeSandbox.Options(webhookSecrets: [credentials.webhookSecret])
        options.host = config.host
        options.port = config.port
        options.apiKey = credentials.apiKey
        options.store = store
        options.runsDueWork = true
        options.recordsRequests = false
        options.publicURL = config.publicURL
        let sandbox = try await StripeSandbox.start(options)
        sandbox.deliverEvents(host: config.webhook.host, port: config.webhook.port, path: config.webhook.path)
        say("PAYMENTS ARE SIMULATED: this is the Stripe sandbox, not Stripe; no card is charged.")
        say("API at \(config.publicURL)/v1 (Stripe's wire format); Checkout and portal pages at \(config.publicURL)")
        say("events signed and posted to http://\(config.webhook.host):\(config.webhook.port)\(config.webhook.path)")
        say("state in \(store.folder); move time with `tollgate-stripe-sandbox advance --days N`")
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        await sandbox.stop()
        say("stopped; state saved")
    }
}

struct Advance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the running sandbox's clock forward and carry out what falls due (renewals, failed payments, ends of canceled periods).")

    @Option(help: "Days to move forward, 1 to 1830.")
    var days: Int

    func validate() throws {
        guard (1...1830).contains(days) else { throw ValidationError("--days must be a whole number from 1 to 1830") }
    }

    func run() async throws {
        let config = try SandboxConfig.from(ProcessInfo.processInfo.environment)
        let credentials = try SandboxStore(dataDirectory: config.dataDirectory).credentials()
        let client = SandboxAPIClient(host: config.clientHost, port: config.port, apiKey: credentials.apiKey)
        let result = try await client.advance(days: days)
        say("the sandbox's clock moved \(days) days: it is now \(result.now) there")
        if result.events.isEmpty { say("nothing fell due") }
        for event in result.events { say("  \(event.created)  \(event.type)  \(event.id)") }
    }
}

struct PrintSecret: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-secret", abstract: "Print the sandbox's API key or its webhook signing secret (made on first use).")

    enum Which: String, ExpressibleByArgument, CaseIterable {
        case apiKey = "api-key"
        case webhookSecret = "webhook-secret"
    }

    @Argument(help: "api-key or webhook-secret")
    var which: Which

    func run() async throws {
        let config = try SandboxConfig.from(ProcessInfo.processInfo.environment)
        let credentials = try SandboxStore(dataDirectory: config.dataDirectory).credentials()
        say(which == .apiKey ? credentials.apiKey : credentials.webhookSecret)
    }
}

/// One line on standard output, unbuffered (launch's log prefixes it). A closed output (the
/// launcher's log reader ended first, as on Ctrl-C) loses the line and nothing else.
func say(_ line: String) {
    try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
}
