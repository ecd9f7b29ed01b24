import Foundation
import TollgateSecurity

/// The HTML of the sandbox's hosted Checkout and billing-portal pages: plain forms, one inline
/// style sheet, no script and nothing fetched from elsewhere. Every value shown is escaped.
enum HostedPages {
    struct PlanLine {
        let product: String
        let price: String
    }

    struct PortalSubscription {
        let id: String
        let priceID: String
        let plan: PlanLine
        let status: String
        let periodEnd: Int64
        let cancelAtPeriodEnd: Bool
        let card: String?
    }

    static func checkout(sessionID: String, plan: PlanLine, cancelURL: String?, error: String?) -> String {
        page(title: "Subscribe to \(plan.product)") {
            """
            <h1>Subscribe to \(escape(plan.product))</h1>
            <p class="price">\(escape(plan.price))</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/checkout/\(escape(sessionID))">
              <label for="card_number">Card number</label>
              <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required placeholder="4242 4242 4242 4242">
              <button type="submit">Subscribe</button>
            </form>
            \(cancelURL.map { "<p><a href=\"\(escape($0))\">Cancel and go back</a></p>" } ?? "")
            \(testCards)
            """
        }
    }

    static func notice(title: String, message: String, link: (url: String, label: String)?) -> String {
        page(title: title) {
            """
            <h1>\(escape(title))</h1>
            <p>\(escape(message))</p>
            \(link.map { "<p><a href=\"\(escape($0.url))\">\(escape($0.label))</a></p>" } ?? "")
            """
        }
    }

    static func portal(
        portalID: String, customer: String, subscriptions: [PortalSubscription], plans: [(priceID: String, plan: PlanLine)],
        notice: String?, returnURL: String?
    ) -> String {
        let action = "/portal/\(escape(portalID))"
        let sections = subscriptions.map { subscription in
            let state =
                subscription.cancelAtPeriodEnd
                ? "Cancels on \(day(subscription.periodEnd)); access until then."
                : subscription.status == "past_due"
                    ? "Past due: the last payment failed. Replace the card to pay it."
                    : "Renews on \(day(subscription.periodEnd))."
            let toggle =
                subscription.cancelAtPeriodEnd
                ? form(action + "/resume", subscription.id, button: "Resume subscription")
                : form(action + "/cancel", subscription.id, button: "Cancel at the end of the period")
            let choices = plans.filter { $0.priceID != subscription.priceID }
            let switching =
                choices.isEmpty
                ? ""
                : """
                <form method="post" action="\(action)/switch">
                  <input type="hidden" name="subscription" value="\(escape(subscription.id))">
                  <label for="price-\(escape(subscription.id))">Switch plan</label>
                  <select id="price-\(escape(subscription.id))" name="price">
                    \(choices.map { "<option value=\"\(escape($0.priceID))\">\(escape($0.plan.product)) — \(escape($0.plan.price))</option>" }.joined(separator: "\n    "))
                  </select>
                  <button type="submit">Switch</button>
                </form>
                """
            return """
                <section>
                  <h2>\(escape(subscription.plan.product)) — \(escape(subscription.plan.price))</h2>
                  <p>Status: \(escape(subscription.status)). \(escape(state))</p>
                  \(subscription.card.map { "<p>Card: \(escape($0))</p>" } ?? "")
                  \(toggle)
                  \(switching)
                </section>
                """
        }
        return page(title: "Billing") {
            """
            <h1>Billing</h1>
            <p>Customer \(escape(customer))</p>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(escape($0))</p>" } ?? "")
            \(sections.isEmpty ? "<p>No current subscription.</p>" : sections.joined(separator: "\n"))
            <section>
              <h2>Payment method</h2>
              <form method="post" action="\(action)/card">
                <label for="card_number">New card number</label>
                <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required>
                <button type="submit">Replace card</button>
              </form>
            </section>
            \(returnURL.map { "<p><a href=\"\(escape($0))\">Return</a></p>" } ?? "")
            \(testCards)
            """
        }
    }

    /// "19.00 USD per month", "1900 JPY every 3 months".
    static func priceText(amount: Int, currency: String, interval: String?, count: Int) -> String {
        let code = currency.uppercased()
        let money = zeroDecimal.contains(currency.lowercased()) ? "\(amount)" : "\(amount / 100).\(String(format: "%02d", amount % 100))"
        guard let interval else { return "\(money) \(code)" }
        return count == 1 ? "\(money) \(code) per \(interval)" : "\(money) \(code) every \(count) \(interval)s"
    }

    /// Currencies Stripe counts in whole units.
    private static let zeroDecimal: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    ]

    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }

    private static func day(_ time: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    private static func form(_ action: String, _ subscription: String, button: String) -> String {
        """
        <form method="post" action="\(action)">
          <input type="hidden" name="subscription" value="\(escape(subscription))">
          <button type="submit">\(escape(button))</button>
        </form>
        """
    }

    private static let testCards = """
        <details>
          <summary>Test cards</summary>
          <ul>
            <li>4242 4242 4242 4242 — pays</li>
            <li>4000 0000 0000 0002 — declined</li>
            <li>4000 0000 0000 9995 — declined, insufficient funds</li>
            <li>4000 0000 0000 0341 — saved, but renewals fail</li>
          </ul>
        </details>
        """

    private static func page(title: String, _ content: () -> String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Stripe sandbox</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f8fa; color: #1a1f36; }
          main { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; }
          .sandbox { background: #fff3cd; padding: .5rem .75rem; border-radius: 4px; font-size: .9rem; }
          .error { color: #b00020; font-weight: 600; }
          .notice { color: #0b6e4f; font-weight: 600; }
          .price { font-size: 1.25rem; }
          label { display: block; margin-top: .75rem; }
          input, select { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; }
          button { font: inherit; margin-top: .75rem; padding: .5rem 1rem; }
          section { border-top: 1px solid #e3e8ee; margin-top: 1rem; }
        </style>
        </head>
        <body>
        <main>
        <p class="sandbox">Stripe sandbox: test mode, no real payment is made.</p>
        \(content())
        </main>
        </body>
        </html>
        """
    }
}
