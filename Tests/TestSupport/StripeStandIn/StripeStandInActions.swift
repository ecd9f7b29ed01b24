import Foundation

/// What happens at Stripe without Billing asking: the customer pays on the Checkout page, a period
/// ends and renews (or its payment fails), a scheduled cancellation takes effect. Each action
/// changes state and sends the events Stripe sends for it.
extension StripeStandIn {
    public struct StandInError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The customer pays on the Checkout page (`url` or session id): a customer if there was none,
    /// an active subscription with its first period, a paid `subscription_create` invoice, and the
    /// events Stripe sends for that. Returns the subscription id.
    @discardableResult
    public func completeCheckout(_ urlOrID: String) async throws -> String {
        let sessionID = urlOrID.split(separator: "/").last.map(String.init) ?? urlOrID
        let (subscriptionID, events) = try state.withLock { state -> (String, [Event]) in
            guard var session = state.sessions[sessionID], session.status == "open",
                let price = state.prices[session.linePrice]
            else { throw StandInError(description: "no open checkout session \(sessionID)") }
            let now = state.now
            let customerID = session.customer ?? StripeStandInState.newID("cus_")
            if state.customers[customerID] == nil {
                state.customers[customerID] = StandInCustomer(id: customerID, email: nil, name: nil, metadata: [:], created: now)
            }
            let subscriptionID = StripeStandInState.newID("sub_")
            let item = StandInSubscriptionItem(
                id: StripeStandInState.newID("si_"), price: price, current_period_start: now,
                current_period_end: now + state.periodSeconds, subscription: subscriptionID, created: now)
            let invoice = Self.paidInvoice(
                at: state.now, subscriptionID: subscriptionID, customer: customerID, item: item, reason: "subscription_create",
                metadata: session.subscriptionMetadata)
            let subscription = StandInSubscription(
                id: subscriptionID, status: "active", customer: customerID,
                items: StripeList(data: [item], url: "/v1/subscription_items?subscription=\(subscriptionID)"),
                cancel_at_period_end: false, cancel_at: nil, canceled_at: nil, ended_at: nil, start_date: now, created: now,
                billing_cycle_anchor: now, currency: price.currency, latest_invoice: invoice.id,
                metadata: session.subscriptionMetadata)
            session.status = "complete"
            session.payment_status = "paid"
            session.customer = customerID
            session.subscription = subscriptionID
            session.invoice = invoice.id
            session.url = nil
            state.sessions[sessionID] = session
            state.subscriptions[subscriptionID] = subscription
            state.invoices[invoice.id] = invoice
            let events = [
                Self.makeEvent(type: "customer.subscription.created", object: subscription, requestIdempotencyKey: nil, created: state.now),
                Self.makeEvent(type: "invoice.paid", object: invoice, requestIdempotencyKey: nil, created: state.now),
                Self.makeEvent(type: "invoice.payment_succeeded", object: invoice, requestIdempotencyKey: nil, created: state.now),
                Self.makeEvent(type: "checkout.session.completed", object: session, requestIdempotencyKey: nil, created: state.now),
            ]
            state.events += events
            return (subscriptionID, state.holdDeliveries ? [] : events)
        }
        for event in events { await deliver(event) }
        return subscriptionID
    }

    /// The period ends and a new one starts: paid (`subscription_cycle` invoice) or, with
    /// `paymentFails`, an open invoice and the subscription `past_due`.
    public func renew(_ subscriptionID: String, paymentFails: Bool = false) async throws {
        let events = try state.withLock { state -> [Event] in
            guard var subscription = state.subscriptions[subscriptionID], subscription.status != "canceled",
                var item = subscription.items.data.first
            else { throw StandInError(description: "no live subscription \(subscriptionID)") }
            item.current_period_start = item.current_period_end
            item.current_period_end += state.periodSeconds
            subscription.items.data[0] = item
            var invoice = Self.paidInvoice(
                at: state.now, subscriptionID: subscriptionID, customer: subscription.customer, item: item, reason: "subscription_cycle",
                metadata: subscription.metadata)
            var events: [Event]
            if paymentFails {
                invoice.status = "open"
                invoice.amount_paid = 0
                invoice.amount_remaining = invoice.amount_due
                invoice.status_transitions.paid_at = nil
                subscription.status = "past_due"
                events = [Self.makeEvent(type: "invoice.payment_failed", object: invoice, requestIdempotencyKey: nil, created: state.now)]
            } else {
                subscription.status = "active"
                events = [
                    Self.makeEvent(type: "invoice.paid", object: invoice, requestIdempotencyKey: nil, created: state.now),
                    Self.makeEvent(type: "invoice.payment_succeeded", object: invoice, requestIdempotencyKey: nil, created: state.now),
                ]
            }
            subscription.latest_invoice = invoice.id
            state.subscriptions[subscriptionID] = subscription
            state.invoices[invoice.id] = invoice
            events.append(Self.makeEvent(type: "customer.subscription.updated", object: subscription, requestIdempotencyKey: nil, created: state.now))
            state.events += events
            return state.holdDeliveries ? [] : events
        }
        for event in events { await deliver(event) }
    }

    /// A subscription set to cancel at its period's end reaches it: `canceled`, and
    /// `customer.subscription.deleted`.
    public func endPeriod(_ subscriptionID: String) async throws {
        let events = try state.withLock { state -> [Event] in
            guard var subscription = state.subscriptions[subscriptionID], subscription.cancel_at_period_end,
                subscription.status != "canceled"
            else { throw StandInError(description: "subscription \(subscriptionID) is not set to cancel") }
            subscription.status = "canceled"
            subscription.ended_at = state.now
            state.subscriptions[subscriptionID] = subscription
            let events = [Self.makeEvent(type: "customer.subscription.deleted", object: subscription, requestIdempotencyKey: nil, created: state.now)]
            state.events += events
            return state.holdDeliveries ? [] : events
        }
        for event in events { await deliver(event) }
    }

    /// Time passes at Stripe (what a test clock does): the current period now ends `seconds` from
    /// now. Sends `customer.subscription.updated`.
    public func endCurrentPeriod(_ subscriptionID: String, inSeconds seconds: Int64) async throws {
        let events = try state.withLock { state -> [Event] in
            guard var subscription = state.subscriptions[subscriptionID], !subscription.items.data.isEmpty else {
                throw StandInError(description: "no subscription \(subscriptionID)")
            }
            subscription.items.data[0].current_period_end = state.now + seconds
            state.subscriptions[subscriptionID] = subscription
            let events = [Self.makeEvent(type: "customer.subscription.updated", object: subscription, requestIdempotencyKey: nil, created: state.now)]
            state.events += events
            return state.holdDeliveries ? [] : events
        }
        for event in events { await deliver(event) }
    }

    /// A customer who paid at Checkout long ago, as far as Stripe's objects go: an active
    /// subscription on a fresh price (carrying `plan_id`) with its paid first invoice. Returns the
    /// events Stripe sends for it (`customer.subscription.created`, `invoice.paid`), not delivered.
    public func seedPaidSubscription(userID: String, planID: String, amount: Int) -> [Event] {
        state.withLock { state in
            let now = state.now
            let customer = StandInCustomer(
                id: StripeStandInState.newID("cus_"), email: nil, name: nil, metadata: ["user_id": userID], created: now)
            let price = StandInPrice(
                id: StripeStandInState.newID("price_"), active: true, currency: "usd", unit_amount: amount,
                unit_amount_decimal: String(amount), product: StripeStandInState.newID("prod_"),
                recurring: .init(interval: "month", interval_count: 1), type: "recurring", metadata: ["plan_id": planID],
                created: now)
            let subscriptionID = StripeStandInState.newID("sub_")
            let metadata = ["user_id": userID, "plan_id": planID]
            let item = StandInSubscriptionItem(
                id: StripeStandInState.newID("si_"), price: price, current_period_start: now,
                current_period_end: now + state.periodSeconds, subscription: subscriptionID, created: now)
            let invoice = Self.paidInvoice(
                at: state.now, subscriptionID: subscriptionID, customer: customer.id, item: item, reason: "subscription_create",
                metadata: metadata)
            let subscription = StandInSubscription(
                id: subscriptionID, status: "active", customer: customer.id,
                items: StripeList(data: [item], url: "/v1/subscription_items?subscription=\(subscriptionID)"),
                cancel_at_period_end: false, cancel_at: nil, canceled_at: nil, ended_at: nil, start_date: now, created: now,
                billing_cycle_anchor: now, currency: "usd", latest_invoice: invoice.id, metadata: metadata)
            state.customers[customer.id] = customer
            state.prices[price.id] = price
            state.subscriptions[subscriptionID] = subscription
            state.invoices[invoice.id] = invoice
            let events = [
                Self.makeEvent(type: "customer.subscription.created", object: subscription, requestIdempotencyKey: nil, created: state.now),
                Self.makeEvent(type: "invoice.paid", object: invoice, requestIdempotencyKey: nil, created: state.now),
            ]
            state.events += events
            return events
        }
    }

    static func paidInvoice(
        at now: Int64, subscriptionID: String, customer: String, item: StandInSubscriptionItem, reason: String, metadata: [String: String]
    ) -> StandInInvoice {
        let amount = item.price.unit_amount
        let invoiceID = StripeStandInState.newID("in_")
        let line = StandInInvoice.Line(
            id: StripeStandInState.newID("il_"), amount: amount, currency: item.price.currency,
            period: .init(start: item.current_period_start, end: item.current_period_end),
            parent: .init(subscription_item_details: .init(subscription: subscriptionID, subscription_item: item.id)),
            pricing: .init(price_details: .init(price: item.price.id, product: item.price.product)))
        return StandInInvoice(
            id: invoiceID, customer: customer, status: "paid", billing_reason: reason, amount_due: amount, amount_paid: amount,
            amount_remaining: 0, total: amount, subtotal: amount, currency: item.price.currency, created: now, attempt_count: 1,
            period_start: item.current_period_start, period_end: item.current_period_start,
            parent: .init(subscription_details: .init(subscription: subscriptionID, metadata: metadata)),
            lines: StripeList(data: [line], url: "/v1/invoices/\(invoiceID)/lines"),
            status_transitions: .init(paid_at: now))
    }
}
