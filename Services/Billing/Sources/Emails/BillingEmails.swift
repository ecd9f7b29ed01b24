import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence

/// Puts Billing's emails in its outbox, in the transaction of the change they announce.
struct BillingEmails: Sendable {
    let outbox: EmailOutbox

    func enqueue(
        _ template: EmailTemplate, to account: AccountSummary, plan: Plan, amountCents: Int?, periodEnd: Date?,
        on database: any Database
    ) async throws {
        let facts = SubscriptionFacts(
            planName: plan.name, amount: Self.money(amountCents ?? plan.priceCents, currency: plan.currency),
            periodEnd: periodEnd.map(EmailDates.day) ?? "now")
        let command = EmailCommand.subscription(template, to: account.email, username: account.username, facts: facts)
        try await outbox.enqueue(
                command, on: database)
    }

    /// "$19.00" for dollars, "19.00 EUR" otherwise; minor units are taken as hundredths.
    static func money(_ cents: Int, currency: String) -> String {
        let code = currency.uppercased()
        let minor = abs(cents % 100)
        // Not String(format:): it formats through the C library, a cost on every billing email.
        let amount = "\(cents / 100).\(minor < 10 ? "0" : "")\(minor)"
        return code == "USD" ? "$\(amount)" : "\(amount) \(code)"
    }
}
