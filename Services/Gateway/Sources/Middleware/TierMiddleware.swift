import Hummingbird
import TollgateContracts

/// A route with a plan tier: 402 without an active subscription, 403 on a lower tier (`TierGate`).
struct TierMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let requiredTier: Int
    let gate: TierGate
    let clock: TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let user = context.caller?.claims.sub, let refusal = gate.check(user: user, requiredTier: requiredTier, now: clock.now) {
            return ErrorResponse.make(refusal.status, refusal.detail)
        }
        return try await next(request, context)
    }
}

/// A route that needs a feature of the caller's plan: 402 without an active subscription, 403 when
/// the plan does not list it (`TierGate`).
struct FeatureMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let feature: String
    let gate: TierGate
    let clock: TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let user = context.caller?.claims.sub, let refusal = gate.check(user: user, feature: feature, now: clock.now) {
            return ErrorResponse.make(refusal.status, refusal.detail)
        }
        return try await next(request, context)
    }
}
