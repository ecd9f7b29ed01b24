import HTTPTypes
import Hummingbird

/// Answers what no route takes, as the contract does: a CORS preflight with the path's methods, 405
/// with `Allow` for a path that exists under other methods, and `{"detail": "Not Found"}` otherwise.
/// The router itself only knows "not found", and skips empty path segments (`/login/` would reach
/// `/login`), so paths with one never reach it.
struct UnmatchedRequestMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let routes: RouteTable
    let cors: CorsPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard !Self.hasEmptySegment(path) else { return unmatched(request) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return unmatched(request)
        }
    }

    private func unmatched(_ request: Request) -> Response {
        let match = routes.match(method: request.method.rawValue, path: request.uri.path)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil,
            case .methodNotAllowed(let allowed) = match
        {
            return cors.preflight(origin: request.headers[.origin], allowedMethods: allowed)
        }
        if case .methodNotAllowed(let allowed) = match {
            var headers = HTTPFields()
            headers[.allow] = allowed.joined(separator: ", ")
            return ErrorResponse.make(405, "Method Not Allowed", headers: headers)
        }
        // `.found` here is a parameter route the router's literal route of the same path hides
        // (`GET /billing/subscriptions/subscribe`): no such resource.
        return ErrorResponse.make(404, "Not Found")
    }

    /// Byte by byte: this runs on every request.
    static func hasEmptySegment(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/") { return true }
            previous = byte
        }
        return previous == UInt8(ascii: "/") || previous == 0
    }
}
