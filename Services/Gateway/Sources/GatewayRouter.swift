import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TollgateContracts
import TollgateHTTPServer
import TollgateMessaging
import TollgateServiceKit

/// The gateway's Hummingbird router: one route per entry of the route table, each behind the
/// middleware its declaration calls for, in this order: who is calling (`AuthenticationMiddleware`,
/// then `AdminMiddleware` for the admin group), the plan tier or feature, the rate limit, the plan
/// quota, the refresh-cookie
/// origin guard, the JSON content type; then `ServiceForwarder` reads the body and forwards it.
struct GatewayRouter {
    let routes: RouteTable
    let verifier: AccessTokenVerifier
    /// The keys and revocations `verifier` reads, watched from their buckets.
    let tokens: TokenState
    let subjects: Subjects
    let tiers: TierGate
    let clock: TimeSource
    let limiter: RateLimiter
    /// Calls counted against plan quotas, by every gateway.
    let quotas: QuotaCounter
    let connection: NatsConnection
    /// Upstream routes' HTTP client (its connections pooled per upstream).
    let upstreamClient: HTTPClient
    /// Signs the identity assertion signed-in upstream routes carry.
    let assertions: AssertionSigner?
    let clientAddress: ClientAddress
    let cors: CorsPolicy
    let readiness: Readiness
    let bodyLimit: Int
    let refreshCookieGuard: RefreshCookieGuard
    let securityHeaders: SecurityHeaders
    let adminRefusals: AdminRefusalReporter
    let apiDocument: APIDocumentSource
    /// The limit on the document's routes (gateway.yaml's `public` policy), which ask the services
    /// over the bus until the document is built.
    let documentPolicy: RateLimitPolicy?
    let logger: Logger

    func build() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(
            middleware: ResponseHeadersMiddleware(clientAddress: clientAddress, cors: cors, securityHeaders: securityHeaders))
        router.add(middleware: UnmatchedRequestMiddleware(routes: routes, cors: cors))
        router.get("/healthz") { _, _ in JSONResponse.make(200, ["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let report = await readiness.check()
            return JSONResponse.make(report.ready ? 200 : 503, report)
        }

        let documents = router.group()
        if let documentPolicy {
            documents.add(middleware: RateLimitMiddleware(policy: documentPolicy, limiter: limiter, routeKey: "GET /openapi.json"))
        }
        documents.get("/openapi.json") { _, _ in
            switch await apiDocument.document() {
            case .success(let made):
                var headers = HTTPFields()
                headers[.contentType] = SecurityHeaders.jsonContentType
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: made.json)))
            case .failure(let missing): return Self.documentUnavailable(missing)
            }
        }
        documents.get("/docs") { _, _ in
            switch await apiDocument.document() {
            case .success(let made):
                var headers = HTTPFields()
                headers[.contentType] = "text/html; charset=utf-8"
                headers[.contentSecurityPolicy] = DocsPage.contentSecurityPolicy
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: made.page)))
            case .failure(let missing): return Self.documentUnavailable(missing)
            }
        }

        let signedIn = router.group().add(middleware: AuthenticationMiddleware(verifier: verifier, tokens: tokens, subjects: subjects, logger: logger))
        let administrators = signedIn.group().add(middleware: AdminMiddleware(verifier: verifier, refusals: adminRefusals))
        for route in routes.routes {
            let group: RouterGroup<GatewayRequestContext>
            switch route.access {
            case .public: group = router.group()
            case .user: group = signedIn.group()
            case .admin: group = administrators.group()
            }
            if let tier = route.tier { group.add(middleware: TierMiddleware(requirement: .tier(tier), gate: tiers, clock: clock)) }
            if let feature = route.feature {
                group.add(middleware: TierMiddleware(requirement: .feature(feature), gate: tiers, clock: clock))
            }
            if let policy = route.policy {
                group.add(middleware: RateLimitMiddleware(policy: policy, limiter: limiter, routeKey: "\(route.method) \(route.path)"))
            }
            // After the rate limit: a call refused for coming too fast is not counted against the quota.
            if let quota = route.quota {
                group.add(middleware: QuotaMiddleware(quota: quota, gate: tiers, counter: quotas, clock: clock))
            }
            if route.refreshCookie { group.add(middleware: RefreshCookieMiddleware(guard_: refreshCookieGuard)) }
            if let upstream = route.upstream {
                // What an upstream takes and answers is its own business: no JSON check in front.
                let forwarder = UpstreamForwarder(
                    route: route, upstream: upstream, client: upstreamClient, assertions: assertions, plans: tiers, clock: clock,
                    clientAddress: clientAddress, bodyLimit: bodyLimit, logger: logger)
                for path in Self.hummingbirdPaths(route) {
                    group.on(RouterPath(path), method: HTTPRequest.Method(route.method)!, responder: forwarder)
                }
                continue
            }
            if JSONContentType.takesBody(route.method) { group.add(middleware: JSONContentTypeMiddleware()) }
            group.on(
                RouterPath(route.path), method: HTTPRequest.Method(route.method)!,
                responder: ServiceForwarder(route: route, connection: connection, bodyLimit: bodyLimit, logger: logger))
        }
        return router
    }

    /// `/app/*` is `/app` and everything below it (Hummingbird's `**`).
    static func hummingbirdPaths(_ route: GatewayRoute) -> [String] {
        guard route.isWildcard else { return [route.path] }
        let prefix = String(route.path.dropLast(2))
        return [prefix.isEmpty ? "/" : prefix, prefix + "/**"]
    }

    private static func documentUnavailable(_ missing: APIDocumentSource.UnavailableService) -> Response {
        var headers = HTTPFields()
        headers[.retryAfter] = "5"
        return ErrorResponse.make(
            503, "The API document needs every service; \(missing.service.rawValue) did not answer", headers: headers)
    }
}
