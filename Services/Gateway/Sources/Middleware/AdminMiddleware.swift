import Hummingbird
import TollgateServiceKit

/// Administrators' routes: after `AuthenticationMiddleware`, a caller whose `admin` role still holds,
/// or 403; the refusal is reported to Auth's audit log (with the caller's token, which Auth believes
/// rather than the gateway).
struct AdminMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let verifier: AccessTokenVerifier
    let refusals: AdminRefusalReporter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let caller = context.caller else { return ErrorResponse.make(401, "Not authenticated") }
        guard verifier.isAdmin(caller.claims) else {
            let envelope = RequestEnvelope(
                method: request.method.rawValue, path: request.uri.path, clientIP: context.clientAddress,
                requestID: context.requestID, accessToken: caller.token)
            refusals.report(envelope.natsHeaders, requestID: context.requestID)
            return ErrorResponse.make(403, "User does not have admin privileges")
        }
        return try await next(request, context)
    }
}
