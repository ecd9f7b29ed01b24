import HTTPTypes
import Hummingbird
import TollgateContracts

/// A route that counts against a plan quota (`quota: api_calls`): each call the gateway lets
/// through is counted for the caller's billing period, against the limit of that name in their
/// plan. 402 without an active subscription, 403 when the plan sets no such limit, 429 once the
/// period's calls are used up, with `Retry-After` at the period's end. Every answer that got this
/// far carries `Quota-Limit`, `Quota-Remaining` and `Quota-Reset` (seconds to the period's end),
/// shaped like the `RateLimit-*` headers, which a route's rate limit may set too.
struct QuotaMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let quota: String
    let gate: TierGate
    let counter: QuotaCounter
    let clock: TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let user = context.caller?.claims.sub else { return try await next(request, context) }
        let now = clock.now
        guard let entitlement = gate.active(user: user, now: now), let periodEnd = entitlement.accessUntil else {
            return ErrorResponse.make(TierGate.Refusal.paymentRequired.status, TierGate.Refusal.paymentRequired.detail)
        }
        guard let limit = entitlement.limits[quota] else {
            return ErrorResponse.make(403, "Your plan does not include \(quota)")
        }
        guard counter.isLoaded else {
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            return ErrorResponse.make(503, "Quota counts are not available yet; retry shortly", headers: headers)
        }
        let decision = counter.admit(user: user, periodEnd: periodEnd, quota: quota, limit: limit)
        let reset = max(periodEnd - Int64(now.timeIntervalSince1970), 1)
        var headers = HTTPFields()
        headers[QuotaHeaders.limit] = String(decision.limit)
        headers[QuotaHeaders.remaining] = String(decision.remaining)
        headers[QuotaHeaders.reset] = String(reset)
        guard decision.allowed else {
            headers[.retryAfter] = String(reset)
            return ErrorResponse.make(429, "Your plan's \(quota) for this period are used up", headers: headers)
        }
        var response = try await next(request, context)
        for field in headers { response.headers.append(field) }
        return response
    }
}

enum QuotaHeaders {
    static let limit = HTTPField.Name("Quota-Limit")!
    static let remaining = HTTPField.Name("Quota-Remaining")!
    static let reset = HTTPField.Name("Quota-Reset")!
}
