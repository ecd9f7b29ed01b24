import HTTPTypes
import Hummingbird

/// A route's rate-limit policy: 429 with `Retry-After` past the limit; the `RateLimit-*` headers on
/// every answer that got this far.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let policy: RateLimitPolicy
    let limiter: RateLimiter
    /// `METHOD /path` of the route, for policies counted per address and route.
    let routeKey: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let key: String
        switch policy.key {
        case .ip: key = context.clientAddress
        case .ipAndRoute: key = "\(context.clientAddress)|\(routeKey)"
        case .principal: key = context.caller.map { "user:\($0.claims.sub)" } ?? "ip:\(context.clientAddress)"
        }
        let decision = limiter.check(policy: policy, key: key)
        var headers = HTTPFields()
        headers[RateLimitHeaders.limit] = String(decision.limit)
        headers[RateLimitHeaders.remaining] = String(decision.remaining)
        headers[RateLimitHeaders.reset] = String(decision.resetSeconds)
        headers[RateLimitHeaders.policy] = "\(policy.limit);w=\(policy.window.components.seconds)"
        guard decision.allowed else {
            headers[.retryAfter] = String(decision.resetSeconds)
            return ErrorResponse.make(429, "Too many requests; retry later", headers: headers)
        }
        var response = try await next(request, context)
        for field in headers { response.headers.append(field) }
        return response
    }
}

enum RateLimitHeaders {
    static let limit = HTTPField.Name("RateLimit-Limit")!
    static let remaining = HTTPField.Name("RateLimit-Remaining")!
    static let reset = HTTPField.Name("RateLimit-Reset")!
    static let policy = HTTPField.Name("RateLimit-Policy")!
}
