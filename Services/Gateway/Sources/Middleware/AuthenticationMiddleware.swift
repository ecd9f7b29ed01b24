import HTTPTypes
import Hummingbird
import Logging
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Signed-in routes: a valid bearer token or 401 (`Not authenticated`, `Invalid token`, `Token
/// expired`, `Token has been revoked`), with the `WWW-Authenticate` challenge.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let verifier: AccessTokenVerifier
    let tokens: TokenState
    let subjects: Subjects
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var challenge = HTTPFields()
        challenge[.wwwAuthenticate] = "Bearer"
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            return ErrorResponse.make(401, "Not authenticated", headers: challenge)
        }
        // A gateway just (re)started takes requests before it has read the keys: it waits for
        // them a moment, and answers 503, not 401, if they are still missing.
        guard await tokens.waitUntilLoaded(SharedBuckets.judgingTokens(subjects), upTo: AccessCheck.loadWait) else {
            return ErrorResponse.make(503, AccessCheck.keysNotRead, headers: [.retryAfter: "1"])
        }
        var context = context
        do {
            context.caller = VerifiedCaller(claims: try verifier.verify(token), token: token)
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            challenge[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
            return ErrorResponse.make(401, error.detail, headers: challenge)
        }
        return try await next(request, context)
    }

    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, String(parts[0]).caseInsensitiveEquals("bearer") else { return nil }
        return String(parts[1].drop { $0 == " " })
    }
}
