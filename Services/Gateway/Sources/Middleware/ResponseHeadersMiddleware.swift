import HTTPTypes
import Hummingbird
import TollgateHTTPServer

/// The outermost middleware: gives the request its id and client address, and puts the request id,
/// CORS and security headers on every answer, routed or not.
struct ResponseHeadersMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let clientAddress: ClientAddress
    let cors: CorsPolicy
    let securityHeaders: SecurityHeaders

    static let requestIDField = HTTPField.Name("X-Request-ID")!
    static let forwardedForField = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.requestID = RequestID.keepOrMake(request.headers[Self.requestIDField])
        context.clientAddress = clientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[Self.forwardedForField])
        var response = try await next(request, context)
        response.headers[Self.requestIDField] = context.requestID
        cors.apply(to: &response.headers, origin: request.headers[.origin])
        securityHeaders.apply(to: &response.headers)
        return response
    }
}
