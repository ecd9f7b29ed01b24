// Objects the Stripe sandbox keeps and answers with, in the shapes of API version
// 2026-10-28.endive (shared/stripe-fixtures): periods on subscription items, an invoice's
// subscription under `parent.subscription_details`, `null` where Stripe has nothing. What the
// sandbox keeps beyond Stripe's fields is written to its state file only (`SandboxCoding`).

/// Set in the state file's encoder: objects then also write what Stripe does not show.
enum SandboxCoding {
    static let stateFile = CodingUserInfoKey(rawValue: "tollgate.stripe-sandbox.state-file")!

    static func isStateFile(_ encoder: any Encoder) -> Bool {
        encoder.userInfo[stateFile] as? Bool == true
    }
}

struct StripeList<Item: Codable & Sendable>: Codable, Sendable {
    var object = "list"
    var data: [Item]
    var has_more = false
    var url: String
}

struct SandboxCustomer: Codable, Sendable {
    struct InvoiceSettings: Codable, Sendable {
        var default_payment_method: String?
    }
    var id: String
    var object = "customer"
    var email: String?
    var name: String?
    var metadata: [String: String]
    var created: Int64
    var livemode = false
    var delinquent = false
    var invoice_settings = InvoiceSettings(default_payment_method: nil)
}

/// A card saved on the Checkout page or in the portal.
struct SandboxPaymentMethod: Codable, Sendable {
    struct Card: Codable, Sendable {
        var brand: String
        var last4: String
        var exp_month: Int
        var exp_year: Int
        var funding: String
        var country = "US"
    }
    var id: String
    var object = "payment_method"
    var type = "card"
    var card: Card
    var customer: String?
    var created: Int64
    var livemode = false
    var metadata: [String: String] = [:]
    /// The test card's behaviour at a charge (not shown by Stripe).
    var chargesFail: Bool

    enum CodingKeys: String, CodingKey {
        case id, object, type, card, customer, created, livemode, metadata, chargesFail
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(type, forKey: .type)
        try container.encode(card, forKey: .card)
        try container.encode(customer, forKey: .customer)
        try container.encode(created, forKey: .created)
        try container.encode(livemode, forKey: .livemode)
        try container.encode(metadata, forKey: .metadata)
        if SandboxCoding.isStateFile(encoder) { try container.encode(chargesFail, forKey: .chargesFail) }
    }
}

/// Stripe's test clock; in the sandbox every clock moves the sandbox's one time (see `SandboxClock`).
struct SandboxTestClock: Codable, Sendable {
    var id: String
    var object = "test_helpers.test_clock"
    var name: String?
    var frozen_time: Int64
    var created: Int64
    var deletes_after: Int64
    var status = "ready"
    var status_details: [String: String] = [:]
    var livemode = false
}

struct SandboxProduct: Codable, Sendable {
    var id: String
    var object = "product"
    var active: Bool
    var name: String
    var default_price: String?
    var metadata: [String: String]
    var created: Int64
    var updated: Int64
    var livemode = false
}

struct SandboxPrice: Codable, Sendable {
    struct Recurring: Codable, Sendable {
        var interval: String
        var interval_count: Int
        var usage_type = "licensed"
        var meter: String? = nil
        var trial_period_days: Int? = nil
    }

    var id: String
    var object = "price"
    var active: Bool
    var currency: String
    var unit_amount: Int
    var unit_amount_decimal: String
    var product: String
    var recurring: Recurring?
    var type: String
    var lookup_key: String? = nil
    var nickname: String? = nil
    var metadata: [String: String]
    var created: Int64
    var livemode = false
}

struct SandboxCheckoutSession: Codable, Sendable {
    var id: String
    var object = "checkout.session"
    var url: String?
    var status: String
    var payment_status: String
    var mode: String
    var customer: String?
    var subscription: String?
    var invoice: String?
    var client_reference_id: String?
    var metadata: [String: String]
    var success_url: String?
    var cancel_url: String?
    var created: Int64
    var expires_at: Int64
    var livemode = false
    /// Kept for completion; Stripe does not show these on the session.
    var linePrice: String
    var subscriptionMetadata: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, object, url, status, payment_status, mode, customer, subscription, invoice, client_reference_id
        case metadata, success_url, cancel_url, created, expires_at, livemode, linePrice, subscriptionMetadata
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(url, forKey: .url)
        try container.encode(status, forKey: .status)
        try container.encode(payment_status, forKey: .payment_status)
        try container.encode(mode, forKey: .mode)
        try container.encode(customer, forKey: .customer)
        try container.encode(subscription, forKey: .subscription)
        try container.encode(invoice, forKey: .invoice)
        try container.encode(client_reference_id, forKey: .client_reference_id)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(success_url, forKey: .success_url)
        try container.encode(cancel_url, forKey: .cancel_url)
        try container.encode(created, forKey: .created)
        try container.encode(expires_at, forKey: .expires_at)
        try container.encode(livemode, forKey: .livemode)
        if SandboxCoding.isStateFile(encoder) {
            try container.encode(linePrice, forKey: .linePrice)
            try container.encode(subscriptionMetadata, forKey: .subscriptionMetadata)
        }
    }
}

struct SandboxSubscriptionItem: Codable, Sendable {
    var id: String
    var object = "subscription_item"
    var price: SandboxPrice
    var quantity = 1
    var current_period_start: Int64
    var current_period_end: Int64
    var subscription: String
    var metadata: [String: String] = [:]
    var created: Int64
}

struct SandboxSubscription: Codable, Sendable {
    var id: String
    var object = "subscription"
    var status: String
    var customer: String
    var items: StripeList<SandboxSubscriptionItem>
    var cancel_at_period_end: Bool
    var cancel_at: Int64?
    var canceled_at: Int64?
    var ended_at: Int64?
    var start_date: Int64
    var created: Int64
    var billing_cycle_anchor: Int64
    var collection_method = "charge_automatically"
    var currency: String
    var latest_invoice: String?
    var default_payment_method: String? = nil
    var metadata: [String: String]
    var livemode = false

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(status, forKey: .status)
        try container.encode(customer, forKey: .customer)
        try container.encode(items, forKey: .items)
        try container.encode(cancel_at_period_end, forKey: .cancel_at_period_end)
        try container.encode(cancel_at, forKey: .cancel_at)
        try container.encode(canceled_at, forKey: .canceled_at)
        try container.encode(ended_at, forKey: .ended_at)
        try container.encode(start_date, forKey: .start_date)
        try container.encode(created, forKey: .created)
        try container.encode(billing_cycle_anchor, forKey: .billing_cycle_anchor)
        try container.encode(collection_method, forKey: .collection_method)
        try container.encode(currency, forKey: .currency)
        try container.encode(latest_invoice, forKey: .latest_invoice)
        try container.encode(default_payment_method, forKey: .default_payment_method)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(livemode, forKey: .livemode)
    }
}

struct SandboxInvoice: Codable, Sendable {
    struct Parent: Codable, Sendable {
        struct SubscriptionDetails: Codable, Sendable {
            var subscription: String
            var metadata: [String: String]
        }
        var type = "subscription_details"
        var subscription_details: SubscriptionDetails
    }
    struct Line: Codable, Sendable {
        struct Period: Codable, Sendable {
            var start: Int64
            var end: Int64
        }
        struct Parent: Codable, Sendable {
            struct ItemDetails: Codable, Sendable {
                var subscription: String
                var subscription_item: String
                var proration = false
            }
            var type = "subscription_item_details"
            var subscription_item_details: ItemDetails
        }
        struct Pricing: Codable, Sendable {
            struct PriceDetails: Codable, Sendable {
                var price: String
                var product: String
            }
            var type = "price_details"
            var price_details: PriceDetails
        }
        var id: String
        var object = "line_item"
        var amount: Int
        var currency: String
        var period: Period
        var parent: Parent
        var pricing: Pricing
        var quantity = 1
    }
    struct StatusTransitions: Codable, Sendable {
        var paid_at: Int64?
    }

    var id: String
    var object = "invoice"
    var customer: String
    var status: String
    var billing_reason: String
    var amount_due: Int
    var amount_paid: Int
    var amount_remaining: Int
    var total: Int
    var subtotal: Int
    var currency: String
    var created: Int64
    var attempt_count: Int
    /// When a failed payment is tried again (nil once paid or given up).
    var next_payment_attempt: Int64? = nil
    var period_start: Int64
    var period_end: Int64
    var parent: Parent
    var lines: StripeList<Line>
    var status_transitions: StatusTransitions
    var livemode = false
    /// Only with `expand[]=payments` (an includable field).
    var payments: StripeList<SandboxInvoicePayment>? = nil

    /// The PaymentIntent that paid it: the stand-in names it after the invoice (`in_X` → `pi_X`).
    var paymentIntentID: String? {
        status == "paid" && amount_paid > 0 ? "pi_" + id.dropFirst("in_".count) : nil
    }
}

struct SandboxInvoicePayment: Codable, Sendable {
    struct Payment: Codable, Sendable {
        var type = "payment_intent"
        var payment_intent: String
    }
    struct StatusTransitions: Codable, Sendable {
        var paid_at: Int64?
        var canceled_at: Int64? = nil
    }
    var id: String
    var object = "invoice_payment"
    var amount_paid: Int?
    var amount_requested: Int
    var currency: String
    var invoice: String
    var is_default = true
    var payment: Payment
    var status: String
    var status_transitions: StatusTransitions
    var created: Int64
    var livemode = false
}

struct SandboxRefund: Codable, Sendable {
    var id: String
    var object = "refund"
    var amount: Int
    var currency: String
    var payment_intent: String?
    var charge: String? = nil
    var reason: String?
    var status = "succeeded"
    var metadata: [String: String]
    var created: Int64
}

struct SandboxPortalSession: Codable, Sendable {
    var id: String
    var object = "billing_portal.session"
    var url: String
    var return_url: String?
    var customer: String
    var created: Int64
    var livemode = false
}

/// Stripe's error body.
struct SandboxErrorBody: Codable, Sendable {
    struct Inner: Codable, Sendable {
        var type: String
        var code: String?
        var message: String
        var param: String?
    }
    var error: Inner
}
