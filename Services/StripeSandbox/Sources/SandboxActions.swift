import Foundation

/// What a customer or time does at Stripe, for tests to call directly (the hosted pages and the
/// test clocks do the same through HTTP). Each returns once the events it caused were delivered
/// (or were refused and wait for a retry).
extension StripeSandbox {
    public struct SandboxError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The customer pays on the Checkout page (`url` or session id) with a test card (4242 by
    /// default). Returns the subscription id.
    @discardableResult
    public func completeCheckout(_ urlOrID: String, cardNumber: String = "4242424242424242") async throws -> String {
        let sessionID = urlOrID.split(separator: "/").last.map(String.init) ?? urlOrID
        let card: TestCards.Card
        switch TestCards.read(cardNumber) {
        case .success(let read): card = read
        case .failure(let refusal): throw SandboxError(description: refusal.message)
        }
        return try await change { state throws(SandboxError) in
            do {
                return try state.completeCheckout(sessionID: sessionID, card: card, at: state.now)
            } catch {
                throw SandboxError(description: String(describing: error))
            }
        }
    }

    /// The period ends and a new one starts now: paid, or with `paymentFails` an open invoice and
    /// the subscription `past_due`.
    public func renew(_ subscriptionID: String, paymentFails: Bool = false) async throws {
        try await change { state throws(SandboxError) in
            do {
                return ((), try state.renew(subscriptionID, at: state.now, paymentFails: paymentFails))
            } catch {
                throw SandboxError(description: String(describing: error))
            }
        }
    }

    /// A subscription set to cancel at its period's end reaches it now.
    public func endPeriod(_ subscriptionID: String) async throws {
        try await change { state throws(SandboxError) in
            do {
                return ((), try state.endCanceled(subscriptionID, at: state.now))
            } catch {
                throw SandboxError(description: String(describing: error))
            }
        }
    }

    /// The current period now ends `seconds` from now (as a test clock would bring it closer).
    /// Sends `customer.subscription.updated`.
    public func endCurrentPeriod(_ subscriptionID: String, inSeconds seconds: Int64) async throws {
        try await change { state throws(SandboxError) in
            guard var subscription = state.subscriptions[subscriptionID], !subscription.items.data.isEmpty else {
                throw SandboxError(description: "no subscription \(subscriptionID)")
            }
            subscription.items.data[0].current_period_end = state.now + seconds
            state.subscriptions[subscriptionID] = subscription
            return ((), [state.event("customer.subscription.updated", subscription, at: state.now)])
        }
    }

    /// Moves the sandbox's time forward and carries out what fell due, as advancing a test clock does.
    public func advanceClock(bySeconds seconds: Int64) async {
        await change { state in
            state.advanceClock(by: seconds)
            return ((), state.runDueWork(until: state.now))
        }
    }

    /// A customer who paid at Checkout long ago, as far as Stripe's objects go: an active
    /// subscription on a fresh price (carrying `plan_id`) with its paid first invoice. Returns the
    /// events Stripe sends for it (`customer.subscription.created`, `invoice.paid`), not delivered.
    public func seedPaidSubscription(userID: String, planID: String, amount: Int) -> [Event] {
        state.withLock { state in
            let now = state.now
            let customer = SandboxCustomer(
                id: SandboxState.newID("cus_"), email: nil, name: nil, metadata: ["user_id": userID], created: now)
            let price = SandboxPrice(
                id: SandboxState.newID("price_"), active: true, currency: "usd", unit_amount: amount,
                unit_amount_decimal: String(amount), product: SandboxState.newID("prod_"),
                recurring: .init(interval: "month", interval_count: 1), type: "recurring", metadata: ["plan_id": planID],
                created: now)
            let subscriptionID = SandboxState.newID("sub_")
            let metadata = ["user_id": userID, "plan_id": planID]
            let item = SandboxSubscriptionItem(
                id: SandboxState.newID("si_"), price: price, current_period_start: now,
                current_period_end: state.nextPeriodEnd(after: now, anchor: now, price: price), subscription: subscriptionID,
                created: now)
            let invoice = SandboxState.paidInvoice(
                at: now, subscriptionID: subscriptionID, customer: customer.id, item: item, reason: "subscription_create",
                metadata: metadata)
            let subscription = SandboxSubscription(
                id: subscriptionID, status: "active", customer: customer.id,
                items: StripeList(data: [item], url: "/v1/subscription_items?subscription=\(subscriptionID)"),
                cancel_at_period_end: false, cancel_at: nil, canceled_at: nil, ended_at: nil, start_date: now, created: now,
                billing_cycle_anchor: now, currency: "usd", latest_invoice: invoice.id, metadata: metadata)
            state.customers[customer.id] = customer
            state.prices[price.id] = price
            state.subscriptions[subscriptionID] = subscription
            state.invoices[invoice.id] = invoice
            let events = [
                state.event("customer.subscription.created", subscription, at: now),
                state.event("invoice.paid", invoice, at: now),
            ]
            state.events += events
            return events
        }
    }
}
