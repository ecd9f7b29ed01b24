import Foundation

/// What each writing endpoint does to the sandbox's state, and the events it causes (reads, lists and
/// test clocks: `SandboxReads`).
enum SandboxAPIHandlers {
    typealias Answer = StripeSandbox.Answer

    static func handle(
        pattern: String, id: String?, form: SandboxForm, base: String, idempotencyKey: String?,
        state: inout SandboxState, events: inout [StripeSandbox.Event]
    ) -> Answer {
        let now = state.now
        func event(_ type: String, _ object: some Encodable) {
            events.append(StripeSandbox.makeEvent(type: type, object: object, requestIdempotencyKey: idempotencyKey, created: now))
        }
        func missing(_ kind: String, _ id: String?) -> Answer {
            StripeSandbox.error(404, "invalid_request_error", "resource_missing", "No such \(kind): '\(id ?? "")'", param: "id")
        }
        func required(_ name: String) -> Answer {
            StripeSandbox.error(400, "invalid_request_error", "parameter_missing", "Missing required param: \(name).", param: name)
        }

        switch pattern {
        case "POST /v1/customers":
            let customer = SandboxCustomer(
                id: SandboxState.newID("cus_"), email: form["email"], name: form["name"], metadata: form.map("metadata"),
                created: now)
            state.customers[customer.id] = customer
            event("customer.created", customer)
            return ok(customer)

        case "GET /v1/customers/{customer}":
            guard let customer = state.customers[id ?? ""] else { return missing("customer", id) }
            return ok(customer)

        case "POST /v1/customers/{customer}":
            guard var customer = state.customers[id ?? ""] else { return missing("customer", id) }
            if let email = form["email"] { customer.email = email.isEmpty ? nil : email }
            if let name = form["name"] { customer.name = name.isEmpty ? nil : name }
            customer.metadata.merge(form.map("metadata")) { _, new in new }
            state.customers[customer.id] = customer
            event("customer.updated", customer)
            return ok(customer)

        case "POST /v1/products":
            guard let name = form["name"], !name.isEmpty else { return required("name") }
            let product = SandboxProduct(
                id: SandboxState.newID("prod_"), active: form["active"] != "false", name: name, default_price: nil,
                metadata: form.map("metadata"), created: now, updated: now)
            state.products[product.id] = product
            return ok(product)

        case "POST /v1/products/{id}":
            guard var product = state.products[id ?? ""] else { return missing("product", id) }
            if let name = form["name"] { product.name = name }
            if let active = form["active"] { product.active = active == "true" }
            if let price = form["default_price"] {
                guard let found = state.prices[price], found.product == product.id, found.active else {
                    return StripeSandbox.error(400, "invalid_request_error", "resource_missing", "No such price: '\(price)'", param: "default_price")
                }
                product.default_price = price
            }
            product.updated = now
            state.products[product.id] = product
            return ok(product)

        case "POST /v1/prices":
            guard let currency = form["currency"] else { return required("currency") }
            guard let productID = form["product"] else { return required("product") }
            guard state.products[productID] != nil else { return missing("product", productID) }
            // Stripe takes up to eight digits in the currency's minor unit.
            guard let amount = form["unit_amount"].flatMap(Int.init), (0...99_999_999).contains(amount) else {
                return StripeSandbox.error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: \(form["unit_amount"] ?? "")", param: "unit_amount")
            }
            let interval = form["recurring[interval]"]
            let longest = ["day": 365, "week": 52, "month": 12, "year": 1]
            if let interval, longest[interval] == nil {
                return StripeSandbox.error(
                    400, "invalid_request_error", "parameter_invalid_string",
                    "Invalid recurring[interval]: must be one of day, week, month, or year", param: "recurring[interval]")
            }
            let count = form["recurring[interval_count]"].map { Int($0) } ?? 1
            guard let count, (1...(longest[interval ?? "month"] ?? 12)).contains(count) else {
                return StripeSandbox.error(
                    400, "invalid_request_error", "parameter_invalid_integer",
                    "The maximum billing period is one year; recurring[interval_count] must be a whole number from 1.", param: "recurring[interval_count]")
            }
            let price = SandboxPrice(
                id: SandboxState.newID("price_"), active: true, currency: currency, unit_amount: amount,
                unit_amount_decimal: String(amount), product: productID,
                recurring: interval.map { .init(interval: $0, interval_count: count) }, type: interval == nil ? "one_time" : "recurring",
                metadata: form.map("metadata"), created: now)
            state.prices[price.id] = price
            return ok(price)

        case "POST /v1/prices/{price}":
            guard var price = state.prices[id ?? ""] else { return missing("price", id) }
            if form["active"] == "false" {
                if state.products[price.product]?.default_price == price.id {
                    return StripeSandbox.error(400, "invalid_request_error", nil, "This price cannot be archived because it is the default price of its product.")
                }
                price.active = false
            } else if form["active"] == "true" {
                price.active = true
            }
            state.prices[price.id] = price
            return ok(price)

        case "POST /v1/checkout/sessions":
            guard form["mode"] == "subscription" else { return required("mode") }
            guard let priceID = form["line_items[0][price]"] else { return required("line_items") }
            guard let price = state.prices[priceID], price.active, price.recurring != nil else {
                return StripeSandbox.error(400, "invalid_request_error", "resource_missing", "No such price: '\(priceID)'", param: "line_items[0][price]")
            }
            if let customer = form["customer"], state.customers[customer] == nil { return missing("customer", customer) }
            let sessionID = SandboxState.newID("cs_test_")
            let session = SandboxCheckoutSession(
                id: sessionID, url: "\(base)/checkout/\(sessionID)", status: "open", payment_status: "unpaid",
                mode: "subscription", customer: form["customer"], subscription: nil, invoice: nil,
                client_reference_id: form["client_reference_id"], metadata: form.map("metadata"),
                success_url: form["success_url"], cancel_url: form["cancel_url"], created: now, expires_at: now + 86_400,
                linePrice: price.id, subscriptionMetadata: form.map("subscription_data[metadata]"))
            state.sessions[session.id] = session
            return ok(session)

        case "GET /v1/checkout/sessions/{session}":
            guard let session = state.sessions[id ?? ""] else { return missing("checkout.session", id) }
            return ok(session)

        case "POST /v1/checkout/sessions/{session}/expire":
            guard let session = state.sessions[id ?? ""] else { return missing("checkout.session", id) }
            guard session.status == "open" else {
                return StripeSandbox.error(
                    400, "invalid_request_error", "checkout_session_expire_invalid_status",
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"\(session.status)\".")
            }
            events += state.expireSession(session.id, at: now)
            return ok(state.sessions[session.id]!)

        case "GET /v1/subscriptions/{subscription_exposed_id}":
            guard let subscription = state.subscriptions[id ?? ""] else { return missing("subscription", id) }
            return ok(subscription)

        case "POST /v1/subscriptions/{subscription_exposed_id}":
            guard var subscription = state.subscriptions[id ?? ""] else { return missing("subscription", id) }
            guard subscription.status != "canceled" else {
                return StripeSandbox.error(400, "invalid_request_error", nil, "A canceled subscription can only update its cancellation_details and metadata.")
            }
            if let cancel = form["cancel_at_period_end"] {
                subscription.cancel_at_period_end = cancel == "true"
                subscription.canceled_at = cancel == "true" ? now : nil
                subscription.cancel_at = cancel == "true" ? subscription.items.data.first?.current_period_end : nil
            }
            if let priceID = form["items[0][price]"] {
                guard form["items[0][id]"] == subscription.items.data.first?.id else {
                    return StripeSandbox.error(400, "invalid_request_error", nil, "Adding a second item is not supported here", param: "items[0][id]")
                }
                guard let price = state.prices[priceID], price.active else {
                    return StripeSandbox.error(400, "invalid_request_error", "resource_missing", "No such price: '\(priceID)'", param: "items[0][price]")
                }
                subscription.items.data[0].price = price
            }
            state.subscriptions[subscription.id] = subscription
            event("customer.subscription.updated", subscription)
            return ok(subscription)

        case "DELETE /v1/subscriptions/{subscription_exposed_id}":
            guard var subscription = state.subscriptions[id ?? ""] else { return missing("subscription", id) }
            guard subscription.status != "canceled" else {
                return StripeSandbox.error(400, "invalid_request_error", nil, "This subscription has already been canceled.")
            }
            subscription.status = "canceled"
            subscription.ended_at = now
            subscription.canceled_at = now
            state.subscriptions[subscription.id] = subscription
            event("customer.subscription.deleted", subscription)
            return ok(subscription)

        case "POST /v1/billing_portal/sessions":
            guard let customer = form["customer"] else { return required("customer") }
            guard state.customers[customer] != nil else { return missing("customer", customer) }
            let portalID = SandboxState.newID("bps_")
            let portal = SandboxPortalSession(
                id: portalID, url: "\(base)/portal/\(portalID)", return_url: form["return_url"], customer: customer, created: now)
            state.portalSessions[portalID] = portal
            return ok(portal)

        case "GET /v1/invoices/{invoice}":
            guard let invoice = state.invoices[id ?? ""] else { return missing("invoice", id) }
            var answer = invoice
            // `payments` is includable, not an id to expand: built here; other paths are expanded
            // by `SandboxExpansion` afterwards.
            if form.map("expand").values.contains("payments") {
                let payments = invoice.paymentIntentID.map { intent in
                    SandboxInvoicePayment(
                        id: "inpay_" + invoice.id.dropFirst("in_".count), amount_paid: invoice.amount_paid,
                        amount_requested: invoice.amount_due, currency: invoice.currency, invoice: invoice.id,
                        payment: .init(payment_intent: intent), status: "paid",
                        status_transitions: .init(paid_at: invoice.status_transitions.paid_at), created: invoice.created)
                }
                answer.payments = StripeList(data: payments.map { [$0] } ?? [], url: "/v1/invoice_payments")
            }
            return ok(answer)

        case "POST /v1/refunds":
            guard let intent = form["payment_intent"] else {
                return StripeSandbox.error(400, "invalid_request_error", nil, "One of the following params should be provided for this request: payment_intent or charge.")
            }
            guard let invoice = state.invoices.values.first(where: { $0.paymentIntentID == intent }) else {
                return missing("payment_intent", intent)
            }
            let refunded = state.refunds.values.filter { $0.payment_intent == intent }.reduce(0) { $0 + $1.amount }
            let unrefunded = invoice.amount_paid - refunded
            if let text = form["amount"], Int(text) == nil {
                return StripeSandbox.error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: \(text)", param: "amount")
            }
            let amount = form["amount"].flatMap(Int.init) ?? unrefunded
            guard amount > 0, amount <= unrefunded else {
                return StripeSandbox.error(
                    400, "invalid_request_error", "charge_already_refunded",
                    "Refund amount (\(amount)) is greater than unrefunded amount on charge (\(unrefunded))",
                    param: "amount")
            }
            let refund = SandboxRefund(
                id: SandboxState.newID("re_"), amount: amount, currency: invoice.currency, payment_intent: intent,
                reason: form["reason"], metadata: form.map("metadata"), created: now)
            state.refunds[refund.id] = refund
            event("refund.created", refund)
            return ok(refund)

        default:
            return SandboxReads.handle(pattern: pattern, id: id, form: form, state: &state, events: &events)
        }
    }

    static func ok(_ object: some Encodable) -> Answer {
        Answer(status: 200, body: (try? JSONEncoder().encode(object)) ?? Data())
    }
}
