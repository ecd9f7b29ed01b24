import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `GET /billing/plans` and `GET /billing/plans/{plan_id}`.
struct PlanHandlers: Sendable {
    let database: ServiceDatabase

    /// Active plans, cheapest first.
    func list(_ request: ServiceRequest) async throws -> ServiceResponse {
        let plans = try await Plan.query(on: database.database)
            .filter(\.$isActive == true)
            .sort(\.$priceCents)
            .sort(\.$createdAt)
            .all()
        return .json(200, plans.map(PlanResponse.init))
    }

    func get(_ request: ServiceRequest) async throws -> ServiceResponse {
        guard let id = request.pathParameters["plan_id"].flatMap(UUID.init(uuidString:)),
            let plan = try await Plan.find(id, on: database.database)
        else { throw HTTPFailure(404, PlanAdminHandlers.notFound) }
        return .json(200, PlanResponse(plan))
    }
}
