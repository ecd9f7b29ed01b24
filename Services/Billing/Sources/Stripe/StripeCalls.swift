import Foundation

/// Every Stripe call Billing makes, with its parameters and idempotency key in one place. Keys are
/// derived from the local row and what is being done to it, so a retry (or a second Billing
/// instance doing the same thing) reuses the key and Stripe does the work once.
struct StripeCalls: Sendable {
    let client: StripeClient

    // MARK: Catalog (plans)

    func createProduct(planID: UUID, name: String) async throws -> String {
        try await client.post(
            "/v1/products", [("name", .string(name)), ("metadata", ["plan_id": .string(planID.lowercased)])],
            idempotencyKey: "tollgate:plan:\(planID.lowercased):product", as: StripeObjectID.self
        ).id
    }

    /// Prices are immutable: a new amount, currency or period is a new price. `previousPriceID` is
    /// part of the key so that going back to an earlier amount makes a new price, not the archived one.
    func createPrice(planID: UUID, productID: String, previousPriceID: String?, amount: Int, currency: String, period: String)
        async throws -> String
    {
        let interval = period == "yearly" ? "year" : "month"
        let key = "tollgate:plan:\(planID.lowercased):price-after:\(previousPriceID ?? "none"):\(amount)-\(currency)-\(period)"
        return try await client.post(
            "/v1/prices",
            [
                ("product", .string(productID)), ("currency", .string(currency.lowercased())), ("unit_amount", .int(amount)),
                ("recurring", ["interval": .string(interval)]), ("metadata", ["plan_id": .string(planID.lowercased)]),
            ],
            idempotencyKey: key, as: StripeObjectID.self
        ).id
    }

    func setDefaultPrice(productID: String, priceID: String) async throws {
        _ = try await client.post(
            "/v1/products/\(productID)", [("default_price", .string(priceID))],
            idempotencyKey: "tollgate:product:\(productID):default:\(priceID)", as: StripeObjectID.self)
    }

    func archivePrice(_ priceID: String) async throws {
        _ = try await client.post(
            "/v1/prices/\(priceID)", [("active", .bool(false))], idempotencyKey: "tollgate:price:\(priceID):archive",
            as: StripeObjectID.self)
    }

    func updateProduct(_ productID: String, name: String, active: Bool) async throws {
        // Name and state are the whole request, so the same update always has the same key.
        let digest = "\(name.utf8.count):\(name.hashValueStable)-\(active)"
        _ = try await client.post(
            "/v1/products/\(productID)", [("name", .string(name)), ("active", .bool(active))],
            idempotencyKey: "tollgate:product:\(productID):update:\(digest)", as: StripeObjectID.self)
    }

    // MARK: Customers, Checkout, portal

    func createCustomer(userID: UUID, email: String, name: String) async throws -> String {
        try await client.post(
            "/v1/customers",
            [("email", .string(email)), ("name", .string(name)), ("metadata", ["user_id": .string(userID.lowercased)])],
            idempotencyKey: "tollgate:customer:\(userID.lowercased)", as: StripeObjectID.self
        ).id
    }

    struct CheckoutRequest {
        let customerID: String
        let priceID: String
        let userID: UUID
        let plan: Plan
        let upgradeFrom: UUID?
        let successURL: String
        let cancelURL: String
        /// One per click: retries of the same request reuse it.
        let attempt: UUID
    }

    func createCheckout(_ request: CheckoutRequest) async throws -> StripeCheckoutSession {
        var metadata: [(String, StripeParameter)] = [
            ("user_id", .string(request.userID.lowercased)), ("plan_id", .string((request.plan.id ?? UUID()).lowercased)),
            ("plan_code", .string(request.plan.code)),
        ]
        if let from = request.upgradeFrom { metadata.append(("upgrade_from_subscription_id", .string(from.lowercased))) }
        return try await client.post(
            "/v1/checkout/sessions",
            [
                ("mode", "subscription"), ("customer", .string(request.customerID)),
                ("line_items", [["price": .string(request.priceID), "quantity": 1]]),
                ("success_url", .string(request.successURL)), ("cancel_url", .string(request.cancelURL)),
                ("client_reference_id", .string(request.userID.lowercased)), ("metadata", .object(metadata)),
                // Copied onto the subscription, so its own events say whose it is without a session lookup.
                ("subscription_data", ["metadata": .object(metadata)]),
            ],
            idempotencyKey: "tollgate:checkout:\(request.userID.lowercased):\(request.attempt.lowercased)",
            as: StripeCheckoutSession.self)
    }

    func portal(customerID: String, returnURL: String, attempt: UUID) async throws -> StripePortalSession {
        try await client.post(
            "/v1/billing_portal/sessions", [("customer", .string(customerID)), ("return_url", .string(returnURL))],
            idempotencyKey: "tollgate:portal:\(customerID):\(attempt.lowercased)", as: StripePortalSession.self)
    }

    // MARK: Subscriptions and invoices

    func subscription(_ id: String) async throws -> StripeSubscription {
        try await client.get("/v1/subscriptions/\(id)", as: StripeSubscription.self)
    }

    func checkoutSession(_ id: String) async throws -> StripeCheckoutSession {
        try await client.get("/v1/checkout/sessions/\(id)", as: StripeCheckoutSession.self)
    }

    /// The invoice with its subscription expanded: one read instead of two for every invoice event.
    func invoice(_ id: String) async throws -> StripeInvoice {
        try await client.get(
            "/v1/invoices/\(id)", query: [("expand", .list([.string("parent.subscription_details.subscription")]))],
            as: StripeInvoice.self)
    }

    /// Schedules (or undoes) cancellation at the period's end. `version` is the local row's last
    /// sync, so cancel → resume → cancel are three different requests.
    func setCancelAtPeriodEnd(_ id: String, _ cancel: Bool, version: Date) async throws -> StripeSubscription {
        try await client.post(
            "/v1/subscriptions/\(id)", [("cancel_at_period_end", .bool(cancel))],
            idempotencyKey: "tollgate:subscription:\(id):cancel-at-period-end:\(cancel):\(version.millisecondsText)",
            as: StripeSubscription.self)
    }

    /// Switches the subscription's one item to another price, with proration.
    func changePrice(_ id: String, itemID: String, priceID: String, version: Date) async throws -> StripeSubscription {
        try await client.post(
            "/v1/subscriptions/\(id)",
            [("items", [["id": .string(itemID), "price": .string(priceID)]]), ("proration_behavior", "create_prorations")],
            idempotencyKey: "tollgate:subscription:\(id):price:\(priceID):\(version.millisecondsText)",
            as: StripeSubscription.self)
    }

    /// Cancels at once (an upgrade's old subscription once the new one exists).
    func cancelNow(_ id: String) async throws -> StripeSubscription {
        try await client.delete("/v1/subscriptions/\(id)", as: StripeSubscription.self)
    }

    /// The invoice with the payments that paid it (their PaymentIntents, to refund).
    func invoiceWithPayments(_ id: String) async throws -> StripeInvoice {
        try await client.get("/v1/invoices/\(id)", query: [("expand", .list([.string("payments")]))], as: StripeInvoice.self)
    }

    /// Refunds what a PaymentIntent (or, for old payments, a charge) collected for `invoiceID`,
    /// once per invoice.
    func refund(paymentIntent: String?, charge: String?, amount: Int, invoiceID: String, reason: String)
        async throws -> StripeObjectID
    {
        var parameters: [(String, StripeParameter)] = [
            ("amount", .int(amount)), ("reason", .string(reason)), ("metadata", ["invoice": .string(invoiceID)]),
        ]
        if let paymentIntent { parameters.append(("payment_intent", .string(paymentIntent))) }
        else if let charge { parameters.append(("charge", .string(charge))) }
        return try await client.post(
            "/v1/refunds", parameters, idempotencyKey: "tollgate:refund:\(invoiceID)", as: StripeObjectID.self)
    }
}

extension UUID {
    var lowercased: String { uuidString.lowercased() }
}

extension Date {
    var millisecondsText: String { String(Int64((timeIntervalSince1970 * 1000).rounded())) }
}

extension String {
    /// FNV-1a: the same text gives the same number in every process (Swift's `hashValue` does not).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
