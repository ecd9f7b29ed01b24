import Hummingbird
import TollgateContracts

/// A route that needs something of the caller's plan (`TierGate`): a tier (402 without an active
/// subscription, 403 on a lower tier) or a feature (402 without one, 403 when the plan lacks it).
struct TierMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    enum Requirement: Sendable {
        case tier(Int)
        case feature(String)
    }

    let requirement: Requirement
    let gate: TierGate
    let clock: TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let user = context.caller?.claims.sub, let refusal = refusal(user) {
            return ErrorResponse.make(refusal.status, refusal.detail)
        }
        return try await next(request, context)
    }

    private func refusal(_ user: String) -> TierGate.Refusal? {
        switch requirement {
        case .tier(let tier): gate.check(user: user, requiredTier: tier, now: clock.now)
        case .feature(let feature): gate.check(user: user, feature: feature, now: clock.now)
        }
    }
}
