import Foundation

// The parts of Stripe's objects Billing reads (API version `StripeClient.apiVersion`). Unknown
// fields are ignored and unknown enum values kept as text, as Stripe may add either at any time.

/// A field Stripe sends as an id, or as the whole object when expanded.
public struct StripeExpandable: Decodable, Sendable, Equatable {
    public let id: String

    private struct Object: Decodable { let id: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let id = try? container.decode(String.self) {
            self.id = id
        } else {
            self.id = try container.decode(Object.self).id
        }
    }
}

public struct StripeObjectID: Decodable, Sendable {
    public let id: String
}

public struct StripeCheckoutSession: Decodable, Sendable {
    public let id: String
    public let url: String?
    public let status: String?
    public let customer: StripeExpandable?
    public let subscription: StripeExpandable?
    public let metadata: [String: String]?
    /// When Stripe stops taking payment on it (24 hours after creation by default).
    public let expiresAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, url, status, customer, subscription, metadata
        case expiresAt = "expires_at"
    }
}

public struct StripePortalSession: Decodable, Sendable {
    public let id: String
    public let url: String
}

public struct StripeSubscription: Decodable, Sendable {
    public struct Item: Decodable, Sendable {
        public struct Price: Decodable, Sendable {
            public let id: String
            /// Billing's prices carry `plan_id`, so a subscription on an archived price still names its plan.
            public let metadata: [String: String]?
        }
        public let id: String
        public let price: Price
        /// Since 2025-03-31.basil the billing period lives on the item, not the subscription.
        public let currentPeriodEnd: Int64?

        enum CodingKeys: String, CodingKey {
            case id, price
            case currentPeriodEnd = "current_period_end"
        }
    }
    public struct Items: Decodable, Sendable {
        public let data: [Item]
    }

    public let id: String
    public let status: String
    public let customer: StripeExpandable
    public let items: Items
    public let cancelAtPeriodEnd: Bool
    public let canceledAt: Int64?
    public let endedAt: Int64?
    public let startDate: Int64?
    public let created: Int64?
    public let latestInvoice: StripeExpandable?
    public let metadata: [String: String]?

    /// With several items periods can differ; access lasts until the latest end.
    public var currentPeriodEnd: Int64? { items.data.compactMap(\.currentPeriodEnd).max() }

    enum CodingKeys: String, CodingKey {
        case id, status, customer, items, metadata
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case canceledAt = "canceled_at"
        case endedAt = "ended_at"
        case startDate = "start_date"
        case created
        case latestInvoice = "latest_invoice"
    }
}

public struct StripeInvoice: Decodable, Sendable {
    public struct Parent: Decodable, Sendable {
        public struct SubscriptionDetails: Decodable, Sendable {
            public let subscription: StripeExpandable?
            /// The whole subscription, when the invoice was read with it expanded.
            public let expandedSubscription: StripeSubscription?

            enum CodingKeys: String, CodingKey {
                case subscription
            }

            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                subscription = try container.decodeIfPresent(StripeExpandable.self, forKey: .subscription)
                expandedSubscription = try? container.decodeIfPresent(StripeSubscription.self, forKey: .subscription)
            }
        }
        public let subscriptionDetails: SubscriptionDetails?

        enum CodingKeys: String, CodingKey {
            case subscriptionDetails = "subscription_details"
        }
    }
    public struct Line: Decodable, Sendable {
        public struct Parent: Decodable, Sendable {
            public struct ItemDetails: Decodable, Sendable {
                public let subscription: String?
            }
            public let subscriptionItemDetails: ItemDetails?

            enum CodingKeys: String, CodingKey {
                case subscriptionItemDetails = "subscription_item_details"
            }
        }
        public let parent: Parent?
    }
    public struct Lines: Decodable, Sendable {
        public let data: [Line]
    }

    public let id: String
    public let status: String?
    public let billingReason: String?
    public let amountPaid: Int
    public let amountDue: Int
    public let currency: String
    public let parent: Parent?
    public let lines: Lines?
    public let created: Int64?
    /// How it was paid, when read with `expand[]=payments` (`StripeCalls.invoiceWithPayments`).
    public let payments: Payments?

    public struct Payments: Decodable, Sendable {
        public let data: [InvoicePayment]
    }
    public struct InvoicePayment: Decodable, Sendable {
        public struct Payment: Decodable, Sendable {
            public let type: String?
            public let paymentIntent: StripeExpandable?
            public let charge: StripeExpandable?

            enum CodingKeys: String, CodingKey {
                case type, charge
                case paymentIntent = "payment_intent"
            }
        }
        public let status: String?
        public let payment: Payment?
    }

    /// The invoice's subscription as it was when the invoice was read (`StripeCalls.invoice` asks
    /// for it expanded); nil when Stripe sent only its id.
    public var subscription: StripeSubscription? { parent?.subscriptionDetails?.expandedSubscription }

    /// Where the subscription id lives since basil, then the older places (see shared/STRIPE.md §7).
    public var subscriptionID: String? {
        parent?.subscriptionDetails?.subscription?.id
            ?? lines?.data.lazy.compactMap { $0.parent?.subscriptionItemDetails?.subscription }.first
    }

    enum CodingKeys: String, CodingKey {
        case id, status, currency, parent, lines, created, payments
        case billingReason = "billing_reason"
        case amountPaid = "amount_paid"
        case amountDue = "amount_due"
    }
}

/// The envelope of a webhook event: what happened and to which object. The object itself is
/// re-read from Stripe before it is applied, so its snapshot here is used only for its id.
public struct StripeEvent: Decodable, Sendable {
    public struct Payload: Decodable, Sendable {
        public let object: EventObject
    }
    public struct EventObject: Decodable, Sendable {
        public let id: String
    }

    public let id: String
    public let type: String
    public let data: Payload
}
