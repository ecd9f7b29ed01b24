import Hummingbird
import TollgateHTTPServer

/// Puts `SecurityHeaders` on every answer of the Webhook's router.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: SecurityHeaders

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        headers.apply(to: &response.headers)
        return response
    }
}
