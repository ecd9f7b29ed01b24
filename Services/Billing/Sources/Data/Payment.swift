import FluentKit
import Foundation

/// A payment for one provider invoice (never two rows for one invoice).
public final class Payment: Model, @unchecked Sendable {
    public static let schema = "payments"

    public enum Status: String, Sendable {
        case succeeded, pending, failed
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "subscription_id") public var subscriptionID: UUID
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "provider") public var provider: String
    @Field(key: "provider_invoice_id") public var providerInvoiceID: String
    @Field(key: "amount_cents") public var amountCents: Int
    @Field(key: "currency") public var currency: String
    @Field(key: "status") public var status: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// The contract's payment object.
struct PaymentResponse: Encodable, Sendable {
    let id: String
    let subscriptionID: String
    let provider: String
    let providerInvoiceID: String
    let amountCents: Int
    let currency: String
    let status: String
    let createdAt: Date

    init(
        id: String, subscriptionID: String, provider: String, providerInvoiceID: String, amountCents: Int, currency: String,
        status: String, createdAt: Date
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.provider = provider
        self.providerInvoiceID = providerInvoiceID
        self.amountCents = amountCents
        self.currency = currency
        self.status = status
        self.createdAt = createdAt
    }

    init(_ payment: Payment) {
        id = (payment.id ?? UUID()).uuidString.lowercased()
        subscriptionID = payment.subscriptionID.uuidString.lowercased()
        provider = payment.provider
        providerInvoiceID = payment.providerInvoiceID
        amountCents = payment.amountCents
        currency = payment.currency
        status = payment.status
        createdAt = payment.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, provider, currency, status
        case subscriptionID = "subscription_id"
        case providerInvoiceID = "provider_invoice_id"
        case amountCents = "amount_cents"
        case createdAt = "created_at"
    }
}
