import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `POST /billing/plans`, `PATCH /billing/plans/{plan_id}`, `DELETE /billing/plans/{plan_id}`
/// (admin routes: the gateway lets only admins through).
struct PlanAdminHandlers: Sendable {
    // The starter's words.
    static let notFound = "No plan found for this id"
    static let codeTaken = "Existing Code"

    let database: ServiceDatabase
    let catalog: PlanCatalog
    let audit: BillingAuditLog
    /// The tiers plans may have (`TOLLGATE_PLAN_TIERS`).
    let tiers: Set<Int>
    /// A plan whose tier, features or limits change rewrites its subscribers' entitlements.
    let entitlements: EntitlementOutbox
    let relay: OutboxRelay

    func create(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let input = try request.decode(PlanInput.self)
        try input.validate(creating: true, tiers: tiers)
        guard let name = input.name, let code = input.code, let price = input.priceCents, let period = input.billingPeriod
        else { throw ValidationFailure(field: "body", "Missing fields") }
        let tier = input.tier ?? (price == 0 ? 0 : 1)
        if !tiers.contains(tier) { throw ValidationFailure(field: "tier", "Field required: tier \(tier) is not configured") }
        if try await Plan.query(on: database.database).filter(\.$code == code).first() != nil {
            throw HTTPFailure(400, Self.codeTaken)
        }
        let plan = Plan(
            name: name.trimmingCharacters(in: .whitespaces), code: code, priceCents: price,
            currency: input.currency.flatMap(CurrencyCodes.normalized) ?? "USD", billingPeriod: period, tier: tier)
        plan.isActive = input.isActive ?? true
        plan.features = input.features ?? []
        plan.limits = input.limits ?? [:]
        try await catalog.prepare(plan)
        do {
            try await plan.create(on: database.database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw HTTPFailure(400, Self.codeTaken)
        }
        try await audit.record("plan.create", target: plan.id, request: request, after: Self.summary(plan))
        return .json(201, PlanResponse(plan))
    }

    func update(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let plan = try await find(request)
        let input = try request.decode(PlanInput.self)
        if input.code != nil { throw ValidationFailure(field: "code", "A plan's code cannot change") }
        try input.validate(creating: false, tiers: tiers)
        let summaryBefore = Self.summary(plan)
        let before = (price: plan.priceCents, currency: plan.currency, period: plan.billingPeriod, name: plan.name, active: plan.isActive)
        if let name = input.name { plan.name = name.trimmingCharacters(in: .whitespaces) }
        if let price = input.priceCents { plan.priceCents = price }
        if let currency = input.currency.flatMap(CurrencyCodes.normalized) { plan.currency = currency }
        if let period = input.billingPeriod { plan.billingPeriod = period }
        if let active = input.isActive { plan.isActive = active }
        let entitlementBefore = (tier: plan.tier, features: plan.features, limits: plan.limits)
        if let tier = input.tier { plan.tier = tier }
        if let features = input.features { plan.features = features }
        if let limits = input.limits { plan.limits = limits }
        let entitlementChanged =
            entitlementBefore.tier != plan.tier || entitlementBefore.features != plan.features || entitlementBefore.limits != plan.limits
        let priceChanged = before.price != plan.priceCents || before.currency != plan.currency || before.period != plan.billingPeriod
        let productChanged = before.name != plan.name || before.active != plan.isActive
        try await catalog.update(plan, priceChanged: priceChanged, productChanged: productChanged)
        // Its subscribers' entitlements change with it, in one transaction (today's subscribers, not
        // only the next ones).
        try await database.database.transaction { db in
            try await plan.save(on: db)
            if entitlementChanged, let id = plan.id { try await entitlements.enqueue(subscribersOf: id, now: Date(), on: db) }
        }
        if entitlementChanged { relay.wakeUp() }
        try await audit.record("plan.update", target: plan.id, request: request, before: summaryBefore, after: Self.summary(plan))
        return .json(200, PlanResponse(plan))
    }

    /// Soft delete: the plan becomes inactive and its Stripe product is archived.
    func delete(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let plan = try await find(request)
        guard plan.isActive else { throw HTTPFailure(400, "Plan already deleted.") }
        plan.isActive = false
        try await catalog.update(plan, priceChanged: false, productChanged: true)
        try await plan.save(on: database.database)
        try await audit.record("plan.delete", target: plan.id, request: request, before: "is_active=true", after: "is_active=false")
        return .noContent()
    }

    static func summary(_ plan: Plan) -> String {
        "\(plan.code) \(plan.priceCents) \(plan.currency) \(plan.billingPeriod) tier=\(plan.tier) active=\(plan.isActive) features=\(plan.featuresJSON) limits=\(plan.limitsJSON)"
    }

    private func find(_ request: ServiceRequest) async throws -> Plan {
        guard let id = request.pathParameters["plan_id"].flatMap(UUID.init(uuidString:)),
            let plan = try await Plan.find(id, on: database.database)
        else { throw HTTPFailure(404, Self.notFound) }
        return plan
    }
}
