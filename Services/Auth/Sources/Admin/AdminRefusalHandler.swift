import TollgateServiceKit

/// A gateway refused a signed-in user an admin route: record who tried what, from where. The user
/// is the one the forwarded token proves, not one the gateway names.
struct AdminRefusalHandler: Sendable {
    let audit: AuditLog

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        try await audit.record(
            .adminAccessRefused, userID: principal.userID, request: request,
            after: "route=\(request.method) \(request.path.prefix(200))")
        return .noContent()
    }
}
