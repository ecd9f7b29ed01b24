import Hummingbird

/// Routes that take a body take JSON: a request naming another content type is answered 415 before
/// its body is read (`JSONContentType`). A body sent with no content type at all is refused by the
/// forwarder, once it knows the body is not empty.
struct JSONContentTypeMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let contentType = request.headers[.contentType], !JSONContentType.isJSON(contentType) {
            return ErrorResponse.make(415, JSONContentType.refusal)
        }
        return try await next(request, context)
    }
}
