import Foundation

/// What happens to subscriptions at Stripe besides API calls: a customer pays at Checkout, a period
/// renews and is charged to the saved card, a failed payment is retried and finally gives up, a
/// subscription set to cancel reaches its period's end, an unpaid Checkout expires. Each change
/// returns the events Stripe sends for it, stamped with the moment it happened.
extension SandboxState {
    typealias Event = StripeSandbox.Event

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Days after a renewal's failed first attempt on which Stripe's default schedule tries again;
    /// after the last, the subscription is canceled (the dashboard's default).
    static let retryDays: [Int64] = [3, 5, 7]

    func event(_ type: String, _ object: some Encodable, at time: Int64, idempotencyKey: String? = nil) -> Event {
        StripeSandbox.makeEvent(type: type, object: object, requestIdempotencyKey: idempotencyKey, created: time)
    }

    // MARK: Checkout

    /// The customer pays on the Checkout page with `card`: a customer if there was none, the card
    /// saved, an active subscription with its first period and its paid `subscription_create`
    /// invoice. A card whose later charges fail pays this first one, so its renewals can be tried.
    mutating func completeCheckout(sessionID: String, card: TestCards.Card, at time: Int64) throws(Refused) -> (String, [Event]) {
        guard var session = sessions[sessionID], session.status == "open", let price = prices[session.linePrice] else {
            throw Refused(description: "no open checkout session \(sessionID)")
        }
        var events: [Event] = []
        let customerID = session.customer ?? Self.newID("cus_")
        if customers[customerID] == nil {
            let customer = SandboxCustomer(id: customerID, email: nil, name: nil, metadata: [:], created: time)
            customers[customerID] = customer
            events.append(event("customer.created", customer, at: time))
        }
        let method = saveCard(card, for: customerID, at: time, events: &events)
        let subscriptionID = Self.newID("sub_")
        let item = SandboxSubscriptionItem(
            id: Self.newID("si_"), price: price, current_period_start: time,
            current_period_end: nextPeriodEnd(after: time, anchor: time, price: price), subscription: subscriptionID, created: time)
        let invoice = Self.paidInvoice(
            at: time, subscriptionID: subscriptionID, customer: customerID, item: item, reason: "subscription_create",
            metadata: session.subscriptionMetadata)
        let subscription = SandboxSubscription(
            id: subscriptionID, status: "active", customer: customerID,
            items: StripeList(data: [item], url: "/v1/subscription_items?subscription=\(subscriptionID)"),
            cancel_at_period_end: false, cancel_at: nil, canceled_at: nil, ended_at: nil, start_date: time, created: time,
            billing_cycle_anchor: time, currency: price.currency, latest_invoice: invoice.id, default_payment_method: method.id,
            metadata: session.subscriptionMetadata)
        session.status = "complete"
        session.payment_status = "paid"
        session.customer = customerID
        session.subscription = subscriptionID
        session.invoice = invoice.id
        session.url = nil
        sessions[sessionID] = session
        subscriptions[subscriptionID] = subscription
        invoices[invoice.id] = invoice
        events += [
            event("customer.subscription.created", subscription, at: time),
            event("invoice.paid", invoice, at: time),
            event("invoice.payment_succeeded", invoice, at: time),
            event("checkout.session.completed", session, at: time),
        ]
        return (subscriptionID, events)
    }

    /// Saves the card on the customer and makes it the one invoices are charged to.
    mutating func saveCard(_ card: TestCards.Card, for customerID: String, at time: Int64, events: inout [Event]) -> SandboxPaymentMethod {
        let method = SandboxPaymentMethod(
            id: Self.newID("pm_"),
            card: .init(brand: card.brand, last4: card.last4, exp_month: 12, exp_year: 2034, funding: card.funding),
            customer: customerID, created: time, chargesFail: card.chargesFail)
        paymentMethods[method.id] = method
        events.append(event("payment_method.attached", method, at: time))
        if var customer = customers[customerID] {
            customer.invoice_settings.default_payment_method = method.id
            customers[customerID] = customer
            events.append(event("customer.updated", customer, at: time))
        }
        return method
    }

    /// The portal's "replace card": the new card becomes the subscriptions' and the customer's, and
    /// an invoice left unpaid is charged to it at once.
    mutating func replaceCard(_ card: TestCards.Card, customerID: String, at time: Int64) -> [Event] {
        var events: [Event] = []
        let method = saveCard(card, for: customerID, at: time, events: &events)
        for (id, var subscription) in subscriptions where subscription.customer == customerID && subscription.status != "canceled" {
            subscription.default_payment_method = method.id
            subscriptions[id] = subscription
        }
        let unpaid = invoices.values.filter { $0.customer == customerID && $0.status == "open" }.sorted { $0.created < $1.created }
        for invoice in unpaid { events += chargeAgain(invoice.id, at: time) }
        return events
    }

    /// An open session past `expires_at`: `expired`, as Stripe does after 24 hours.
    mutating func expireSession(_ sessionID: String, at time: Int64) -> [Event] {
        guard var session = sessions[sessionID], session.status == "open" else { return [] }
        session.status = "expired"
        session.url = nil
        sessions[sessionID] = session
        return [event("checkout.session.expired", session, at: time)]
    }

    // MARK: Periods

    /// The end of the period that starts at `start`: `periodSeconds` when a test fixed it, else the
    /// price's interval counted from the billing-cycle anchor by the calendar (a subscription begun
    /// on 31 January renews on 28 February, then 31 March, as at Stripe).
    func nextPeriodEnd(after start: Int64, anchor: Int64, price: SandboxPrice) -> Int64 {
        if let periodSeconds { return start + periodSeconds }
        let count = max(1, price.recurring?.interval_count ?? 1)
        let (unit, longest): (Calendar.Component, Int64) =
            switch price.recurring?.interval {
            case "day": (.day, 86_400)
            case "week": (.weekOfYear, 7 * 86_400)
            case "year": (.year, 366 * 86_400)
            default: (.month, 31 * 86_400)
            }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let anchorDate = Date(timeIntervalSince1970: TimeInterval(anchor))
        // Start from an estimate that cannot overshoot (the longest unit), then step.
        var periods = max(1, Int((start - anchor) / (longest * Int64(count))))
        while periods < 1_000_000 {
            if let date = calendar.date(byAdding: unit, value: periods * count, to: anchorDate) {
                let end = Int64(date.timeIntervalSince1970)
                if end > start { return end }
            }
            periods += 1
        }
        return start + 30 * 86_400
    }

    /// Whether a charge to the subscription's card (or its customer's) goes through.
    func chargeSucceeds(customerID: String, paymentMethod: String?) -> Bool {
        let methodID = paymentMethod ?? customers[customerID]?.invoice_settings.default_payment_method
        guard let methodID, let method = paymentMethods[methodID] else { return true }
        return !method.chargesFail
    }

    /// The period ends and a new one starts, invoiced and charged to the saved card: paid
    /// (`subscription_cycle`), or — the card's charges fail, or `paymentFails` — left open to be
    /// retried, and the subscription `past_due`.
    mutating func renew(_ subscriptionID: String, at time: Int64, paymentFails: Bool? = nil) throws(Refused) -> [Event] {
        guard var subscription = subscriptions[subscriptionID], subscription.status != "canceled",
            var item = subscription.items.data.first
        else { throw Refused(description: "no live subscription \(subscriptionID)") }
        item.current_period_start = item.current_period_end
        item.current_period_end = nextPeriodEnd(
            after: item.current_period_start, anchor: subscription.billing_cycle_anchor, price: item.price)
        subscription.items.data[0] = item
        var invoice = Self.paidInvoice(
            at: time, subscriptionID: subscriptionID, customer: subscription.customer, item: item, reason: "subscription_cycle",
            metadata: subscription.metadata)
        var events: [Event]
        let fails = paymentFails ?? !chargeSucceeds(customerID: subscription.customer, paymentMethod: subscription.default_payment_method)
        if fails {
            invoice.status = "open"
            invoice.amount_paid = 0
            invoice.amount_remaining = invoice.amount_due
            invoice.status_transitions.paid_at = nil
            invoice.next_payment_attempt = time + Self.retryDays[0] * 86_400
            subscription.status = "past_due"
            events = [event("invoice.payment_failed", invoice, at: time)]
        } else {
            subscription.status = "active"
            events = [event("invoice.paid", invoice, at: time), event("invoice.payment_succeeded", invoice, at: time)]
        }
        subscription.latest_invoice = invoice.id
        subscriptions[subscriptionID] = subscription
        invoices[invoice.id] = invoice
        events.append(event("customer.subscription.updated", subscription, at: time))
        return events
    }

    /// Another attempt at an open invoice (a scheduled retry, or a new card): paid, and its
    /// subscription active again; or failed once more, and after the last retry the subscription
    /// canceled.
    mutating func chargeAgain(_ invoiceID: String, at time: Int64) -> [Event] {
        guard var invoice = invoices[invoiceID], invoice.status == "open" else { return [] }
        let subscriptionID = invoice.parent.subscription_details.subscription
        guard var subscription = subscriptions[subscriptionID] else { return [] }
        invoice.attempt_count += 1
        if chargeSucceeds(customerID: invoice.customer, paymentMethod: subscription.default_payment_method) {
            invoice.status = "paid"
            invoice.amount_paid = invoice.amount_due
            invoice.amount_remaining = 0
            invoice.status_transitions.paid_at = time
            invoice.next_payment_attempt = nil
            invoices[invoiceID] = invoice
            var events = [event("invoice.paid", invoice, at: time), event("invoice.payment_succeeded", invoice, at: time)]
            if subscription.status == "past_due", subscription.latest_invoice == invoiceID {
                subscription.status = "active"
                subscriptions[subscriptionID] = subscription
                events.append(event("customer.subscription.updated", subscription, at: time))
            }
            return events
        }
        let retriesMade = invoice.attempt_count - 1
        if retriesMade < Self.retryDays.count {
            invoice.next_payment_attempt = invoice.created + Self.retryDays[retriesMade] * 86_400
            invoices[invoiceID] = invoice
            return [event("invoice.payment_failed", invoice, at: time)]
        }
        invoice.next_payment_attempt = nil
        invoices[invoiceID] = invoice
        var events = [event("invoice.payment_failed", invoice, at: time)]
        if subscription.status != "canceled" {
            subscription.status = "canceled"
            subscription.ended_at = time
            subscription.canceled_at = time
            subscriptions[subscriptionID] = subscription
            events.append(event("customer.subscription.deleted", subscription, at: time))
        }
        return events
    }

    /// A subscription set to cancel at its period's end reaches it: `canceled`.
    mutating func endCanceled(_ subscriptionID: String, at time: Int64) throws(Refused) -> [Event] {
        guard var subscription = subscriptions[subscriptionID], subscription.cancel_at_period_end, subscription.status != "canceled"
        else { throw Refused(description: "subscription \(subscriptionID) is not set to cancel") }
        subscription.status = "canceled"
        subscription.ended_at = time
        subscriptions[subscriptionID] = subscription
        return [event("customer.subscription.deleted", subscription, at: time)]
    }

    // MARK: Time passing

    private enum Due {
        case periodEnd(subscription: String)
        case retry(invoice: String)
        case expiry(session: String)
    }

    /// The earliest thing due at or before `limit`.
    private func nextDue(until limit: Int64) -> (time: Int64, work: Due)? {
        var best: (time: Int64, work: Due)?
        func consider(_ time: Int64, _ work: Due) {
            if time <= limit, best == nil || time < best!.time { best = (time, work) }
        }
        for subscription in subscriptions.values where subscription.status == "active" || subscription.status == "past_due" {
            if let end = subscription.items.data.first?.current_period_end { consider(end, .periodEnd(subscription: subscription.id)) }
        }
        for invoice in invoices.values where invoice.status == "open" {
            if let next = invoice.next_payment_attempt { consider(next, .retry(invoice: invoice.id)) }
        }
        for session in sessions.values where session.status == "open" {
            consider(session.expires_at, .expiry(session: session.id))
        }
        return best
    }

    func hasDueWork(until limit: Int64) -> Bool {
        nextDue(until: limit) != nil
    }

    /// Carries out, in time order, everything that falls due up to `limit` (the sandbox's time
    /// after a test clock moved it): renewals, retries, ends of canceled periods, expiries.
    mutating func runDueWork(until limit: Int64) -> [Event] {
        var events: [Event] = []
        // A bound, not a number ever reached: a year of daily renewals for a few hundred subscriptions.
        for _ in 0..<100_000 {
            guard let (time, work) = nextDue(until: limit) else { break }
            switch work {
            case .periodEnd(let id):
                if subscriptions[id]?.cancel_at_period_end == true {
                    events += (try? endCanceled(id, at: time)) ?? []
                } else {
                    events += (try? renew(id, at: time)) ?? []
                }
            case .retry(let id):
                events += chargeAgain(id, at: time)
            case .expiry(let id):
                events += expireSession(id, at: time)
            }
        }
        return events
    }

    static func paidInvoice(
        at now: Int64, subscriptionID: String, customer: String, item: SandboxSubscriptionItem, reason: String, metadata: [String: String]
    ) -> SandboxInvoice {
        let amount = item.price.unit_amount
        let invoiceID = newID("in_")
        let line = SandboxInvoice.Line(
            id: newID("il_"), amount: amount, currency: item.price.currency,
            period: .init(start: item.current_period_start, end: item.current_period_end),
            parent: .init(subscription_item_details: .init(subscription: subscriptionID, subscription_item: item.id)),
            pricing: .init(price_details: .init(price: item.price.id, product: item.price.product)))
        return SandboxInvoice(
            id: invoiceID, customer: customer, status: "paid", billing_reason: reason, amount_due: amount, amount_paid: amount,
            amount_remaining: 0, total: amount, subtotal: amount, currency: item.price.currency, created: now, attempt_count: 1,
            period_start: item.current_period_start, period_end: item.current_period_start,
            parent: .init(subscription_details: .init(subscription: subscriptionID, metadata: metadata)),
            lines: StripeList(data: [line], url: "/v1/invoices/\(invoiceID)/lines"),
            status_transitions: .init(paid_at: now))
    }
}
