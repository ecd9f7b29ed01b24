import ArgumentParser
import Foundation
import StripeSandbox
import TollgateTestSupport

/// `make bench`'s Stripe: serves the stand-in on `--port`, makes `--count` paid subscriptions for
/// the users listed in `--users` (one id per line) on `--plan`, then delivers their events
/// (`customer.subscription.created` and `invoice.paid`, signed) to the Webhook service,
/// `--concurrency` at a time, at once, and keeps serving Billing's reads until it is stopped.
@main
struct StripeStandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tollgate-stripe-stand-in")

    @Option var port: Int
    @Option var webhookPort: Int
    @Option var secret: String
    @Option var users: String
    @Option var plan: String
    @Option var concurrency = 32

    func run() async throws {
        let stripe = try await StripeSandbox.start(webhookSecrets: [secret], port: port)
        stripe.holdDeliveries(true)
        stripe.deliverEvents(toPort: webhookPort)
        let ids = try String(contentsOfFile: users, encoding: .utf8).split(separator: "\n").map(String.init)
        let events = ids.flatMap { stripe.seedPaidSubscription(userID: $0, planID: plan, amount: 1900) }
        say("delivering \(events.count) events")
        let refused = await withTaskGroup(of: Int.self) { group in
            var next = events.makeIterator()
            var refused = 0
            for _ in 0..<concurrency {
                if let event = next.next() { group.addTask { await stripe.deliver(event) } }
            }
            for await status in group {
                if status != 200 { refused += 1 }
                if let event = next.next() { group.addTask { await stripe.deliver(event) } }
            }
            return refused
        }
        say("delivered: \(events.count - refused) accepted, \(refused) refused")
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// One line on standard output, unbuffered (the bench watches for it).
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
