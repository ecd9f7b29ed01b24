import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// The admin API's billing routes (admins only, checked by the gateway) and the internal subjects
/// Auth asks for the dashboard, a user's counts and the audit timeline.
struct BillingAdminHandlers: Sendable {
    let database: ServiceDatabase
    let audit: BillingAuditLog

    // MARK: Routes

    /// `GET /billing/transactions`: every payment, newest first.
    func payments(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await paymentPage(request, userID: nil)
    }

    /// `GET /users/{user_id}/transactions`.
    func userPayments(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await paymentPage(request, userID: try userID(request))
    }

    /// `GET /billing/subscriptions`: every subscription, newest first.
    func subscriptions(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await subscriptionPage(request, userID: nil)
    }

    /// `GET /users/{user_id}/subscriptions`.
    func userSubscriptions(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await subscriptionPage(request, userID: try userID(request))
    }

    struct PaymentDetail: Encodable {
        let payment: PaymentResponse
        let subscription: SubscriptionResponse?
    }

    /// `GET /billing/transactions/{payment_id}`: the payment with its subscription.
    func payment(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        guard let id = request.pathParameters["payment_id"].flatMap(UUID.init(uuidString:)),
            let payment = try await Payment.find(id, on: database.database)
        else { throw HTTPFailure(404, "Payment not found") }
        let subscription = try await Subscription.find(payment.subscriptionID, on: database.database)
        var plan: Plan?
        if let subscription { plan = try await Plan.find(subscription.planID, on: database.database) }
        return .json(
            200, PaymentDetail(payment: PaymentResponse(payment), subscription: subscription.map { SubscriptionResponse($0, plan: plan) }))
    }

    struct SubscriptionDetail: Encodable {
        let subscription: SubscriptionResponse
        let payments: [PaymentResponse]
    }

    /// `GET /billing/subscriptions/{sub_id}`: the subscription with its payments, newest first.
    func subscription(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        guard let id = request.pathParameters["sub_id"].flatMap(UUID.init(uuidString:)),
            let subscription = try await Subscription.find(id, on: database.database)
        else { throw HTTPFailure(404, "Subscription not found") }
        let payments = try await Payment.query(on: database.database).filter(\.$subscriptionID == id)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).all()
        let plan = try await Plan.find(subscription.planID, on: database.database)
        return .json(
            200, SubscriptionDetail(subscription: SubscriptionResponse(subscription, plan: plan), payments: payments.map(PaymentResponse.init)))
    }

    // MARK: Internal subjects

    func stats(_ request: ServiceRequest) async throws -> ServiceResponse {
        .json(
            200,
            BillingStats(
                subscriptions: try await Subscription.query(on: database.database).count(),
                payments: try await Payment.query(on: database.database).count()))
    }

    func userCounts(_ request: ServiceRequest) async throws -> ServiceResponse {
        let lookup = try request.decode(AccountLookup.self)
        return .json(
            200,
            BillingUserCounts(
                subscriptionsCount: try await Subscription.query(on: database.database).filter(\.$userID == lookup.userID).count(),
                transactionsCount: try await Payment.query(on: database.database).filter(\.$userID == lookup.userID).count()))
    }

    func auditEntries(_ request: ServiceRequest) async throws -> ServiceResponse {
        .json(200, try await audit.read(try request.decode(AuditQuery.self)))
    }

    // MARK: Pages

    private func paymentPage(_ request: ServiceRequest, userID: UUID?) async throws -> ServiceResponse {
        let page = try PageRequest.from(request.query)
        func query() -> QueryBuilder<Payment> {
            let query = Payment.query(on: database.database).filter(\.$createdAt < page.asOf)
            if let userID { query.filter(\.$userID == userID) }
            return query
        }
        let total = try await query().count()
        let rows = try await query().sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.limit)).all()
        return .json(200, Page(data: rows.map(PaymentResponse.init), total: total, request: page))
    }

    private func subscriptionPage(_ request: ServiceRequest, userID: UUID?) async throws -> ServiceResponse {
        let page = try PageRequest.from(request.query)
        func query() -> QueryBuilder<Subscription> {
            let query = Subscription.query(on: database.database).filter(\.$createdAt < page.asOf)
            if let userID { query.filter(\.$userID == userID) }
            return query
        }
        let total = try await query().count()
        let rows = try await query().sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.limit)).all()
        let plans = try await Plan.query(on: database.database).filter(\.$id ~~ rows.map(\.planID)).all()
        let byID = Dictionary(uniqueKeysWithValues: plans.compactMap { plan in plan.id.map { ($0, plan) } })
        return .json(
            200, Page(data: rows.map { SubscriptionResponse($0, plan: byID[$0.planID]) }, total: total, request: page))
    }

    private func userID(_ request: ServiceRequest) throws -> UUID {
        guard let id = request.pathParameters["user_id"].flatMap(UUID.init(uuidString:)) else {
            throw HTTPFailure(404, "User not found")
        }
        return id
    }
}
