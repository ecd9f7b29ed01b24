import Hummingbird

/// Routes that act on the refresh cookie refuse cross-site requests (`RefreshCookieGuard`).
struct RefreshCookieMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let guard_: RefreshCookieGuard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard guard_.allows(origin: request.headers[.origin], contentType: request.headers[.contentType]) else {
            return ErrorResponse.make(
                403, "Cross-site request refused: send an allowed Origin or Content-Type: application/json")
        }
        return try await next(request, context)
    }
}
