import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence

/// Puts Billing's emails in its outbox, in the transaction of the change they announce.
struct BillingEmails: Sendable {
    let subjects: Subjects

    func enqueue(
        _ template: EmailTemplate, to account: AccountSummary, plan: Plan, amountCents: Int?, periodEnd: Date?,
        on database: any Database
    ) async throws {
        let facts = SubscriptionFacts(
            planName: plan.name, amount: Self.money(amountCents ?? plan.priceCents, currency: plan.currency),
            periodEnd: periodEnd.map(EmailDates.day) ?? "now")
        let command = EmailCommand.subscription(template, to: account.email, username: account.username, facts: facts)
        try await OutboxMessage.enqueue(subject: subjects.email(template), payload: command, on: database)
    }

    /// "$19.00" for dollars, "19.00 EUR" otherwise; minor units are taken as hundredths.
    static func money(_ cents: Int, currency: String) -> String {
        let code = currency.uppercased()
        let amount = String(format: "%d.%02d", cents / 100, abs(cents % 100))
        return code == "USD" ? "$\(amount)" : "\(amount) \(code)"
    }
}
