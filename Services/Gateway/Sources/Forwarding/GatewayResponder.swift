import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TollgateContracts
import TollgateHTTPServer
import TollgateMessaging
import TollgateServiceKit

/// Everything the gateway does with a request: route it, check its token and rate limit, forward it
/// over NATS and turn the reply back into HTTP.
public struct GatewayResponder: HTTPResponder {
    public typealias Context = GatewayRequestContext

    let routes: RouteTable
    let verifier: AccessTokenVerifier
    let tiers: TierGate
    let limiter: RateLimiter
    let connection: NatsConnection
    let clientAddress: ClientAddress
    let cors: CorsPolicy
    let readiness: Readiness
    let bodyLimit: Int
    let refreshCookieGuard: RefreshCookieGuard
    let securityHeaders: SecurityHeaders
    let adminRefusals: AdminRefusalReporter
    let logger: Logger

    static let requestIDField = HTTPField.Name("X-Request-ID")!
    static let forwardedForField = HTTPField.Name("X-Forwarded-For")!
    static let traceParentField = HTTPField.Name("traceparent")!
    static let replyFields = EnvelopeHeader.forwardedReplyHeaders.compactMap { name in
        HTTPField.Name(name).map { (name, $0) }
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let requestID = Self.requestID(from: request.headers[Self.requestIDField])
        let origin = request.headers[.origin]
        var response = await handle(request, context: context, requestID: requestID)
        response.headers[Self.requestIDField] = requestID
        cors.apply(to: &response.headers, origin: origin)
        securityHeaders.apply(to: &response.headers)
        return response
    }

    private func handle(_ request: Request, context: Context, requestID: String) async -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        if method == "GET" && path == "/healthz" {
            return JSONResponse.make(200, ["status": "ok"])
        }
        if method == "GET" && path == "/readyz" {
            let report = await readiness.check()
            return JSONResponse.make(report.ready ? 200 : 503, report)
        }
        let match = routes.match(method: method, path: path)
        if method == "OPTIONS", request.headers[.accessControlRequestMethod] != nil {
            switch match {
            case .methodNotAllowed(let allowed): return cors.preflight(origin: request.headers[.origin], allowedMethods: allowed)
            case .found(let route, _): return cors.preflight(origin: request.headers[.origin], allowedMethods: [route.method])
            case .notFound: break
            }
        }
        switch match {
        case .notFound:
            return ErrorResponse.make(404, "Not Found")
        case .methodNotAllowed(let allowed):
            var headers = HTTPFields()
            headers[.allow] = allowed.joined(separator: ", ")
            return ErrorResponse.make(405, "Method Not Allowed", headers: headers)
        case .found(let route, let parameters):
            let client = clientAddress.resolve(
                peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[Self.forwardedForField])
            return await forward(
                request, route: route, parameters: parameters, client: client, requestID: requestID)
        }
    }

    private func forward(
        _ request: Request, route: GatewayRoute, parameters: [String: String], client: String, requestID: String
    ) async -> Response {
        // 1. Who is calling.
        var principal: AccessTokenClaims?
        var token: String?
        if route.auth != .none {
            switch authenticate(request) {
            case .success(let verified): (principal, token) = (verified.claims, verified.token)
            case .failure(let failure): return failure.response
            }
            if route.auth == .admin, let claims = principal, !verifier.isAdmin(claims) {
                adminRefusals.report(
                    envelope(
                        request, method: route.method, parameters: parameters, client: client, requestID: requestID,
                        token: token),
                    requestID: requestID)
                return ErrorResponse.make(403, "User does not have admin privileges")
            }
            if let tier = route.tier, let user = principal?.sub, let refusal = tiers.check(user: user, requiredTier: tier) {
                return ErrorResponse.make(refusal.status, refusal.detail)
            }
        }

        // 2. How often.
        var limitHeaders = HTTPFields()
        if let policy = route.policy {
            let key: String
            switch policy.key {
            case .ip: key = client
            case .ipAndRoute: key = "\(client)|\(route.method) \(route.path)"
            case .principal: key = principal.map { "user:\($0.sub)" } ?? "ip:\(client)"
            }
            let decision = limiter.check(policy: policy, key: key)
            limitHeaders[RateLimitHeaders.limit] = String(decision.limit)
            limitHeaders[RateLimitHeaders.remaining] = String(decision.remaining)
            limitHeaders[RateLimitHeaders.reset] = String(decision.resetSeconds)
            limitHeaders[RateLimitHeaders.policy] = "\(policy.limit);w=\(policy.window.components.seconds)"
            if !decision.allowed {
                limitHeaders[.retryAfter] = String(decision.resetSeconds)
                return ErrorResponse.make(429, "Too many requests; retry later", headers: limitHeaders)
            }
        }

        // 3. From where, and in what form.
        let contentType = request.headers[.contentType]
        if route.refreshCookie, !refreshCookieGuard.allows(origin: request.headers[.origin], contentType: contentType) {
            return ErrorResponse.make(
                403, "Cross-site request refused: send an allowed Origin or Content-Type: application/json",
                headers: limitHeaders)
        }
        let takesBody = JSONContentType.takesBody(route.method)
        if takesBody, let contentType, !JSONContentType.isJSON(contentType) {
            return ErrorResponse.make(415, "Content-Type must be application/json", headers: limitHeaders)
        }

        // 4. What it sends.
        let body: Data
        switch await collectBody(request) {
        case .success(let data): body = data
        case .failure(let failure): return failure.response
        }
        if takesBody, contentType == nil, !body.isEmpty {
            return ErrorResponse.make(415, "Content-Type must be application/json", headers: limitHeaders)
        }

        // 5. Over NATS and back.
        guard connection.isConnected else {
            return ErrorResponse.make(503, "Service unavailable", headers: limitHeaders)
        }
        let headers = envelope(
            request, method: route.method, parameters: parameters, client: client, requestID: requestID, token: token)
        do {
            let reply = try await connection.request(route.subject, payload: body, headers: headers, timeout: route.timeout)
            return makeResponse(from: reply, extraHeaders: limitHeaders)
        } catch let error as NatsError {
            switch error.code {
            case .noResponders:
                return ErrorResponse.make(503, "Service unavailable", headers: limitHeaders)
            case .timeout:
                return ErrorResponse.make(504, "The service did not answer in time", headers: limitHeaders)
            default:
                logger.warning("forward failed", metadata: ["subject": "\(route.subject)", "error": "\(error)"])
                return ErrorResponse.make(503, "Service unavailable", headers: limitHeaders)
            }
        } catch {
            return ErrorResponse.make(503, "Service unavailable", headers: limitHeaders)
        }
    }

    /// The request's metadata as NATS headers (the HTTP-over-NATS envelope).
    private func envelope(
        _ request: Request, method: String, parameters: [String: String], client: String, requestID: String, token: String?
    ) -> NatsHeaders {
        // `add`, not the subscript: every name is set once, and the subscript scans for duplicates.
        var headers = NatsHeaders()
        headers.add(EnvelopeHeader.method, method)
        headers.add(EnvelopeHeader.path, request.uri.path)
        if !parameters.isEmpty, let json = try? JSONEncoder().encode(parameters) {
            headers.add(EnvelopeHeader.pathParameters, String(decoding: json, as: UTF8.self))
        }
        if let query = request.uri.query, !query.isEmpty { headers.add(EnvelopeHeader.query, query) }
        headers.add(EnvelopeHeader.clientIP, client)
        headers.add(EnvelopeHeader.requestID, requestID)
        if let cookie = request.headers[.cookie] { headers.add(EnvelopeHeader.cookie, cookie) }
        if let agent = request.headers[.userAgent] { headers.add(EnvelopeHeader.userAgent, agent) }
        if let type = request.headers[.contentType] { headers.add(EnvelopeHeader.contentType, type) }
        if let trace = request.headers[Self.traceParentField] { headers.add(EnvelopeHeader.traceParent, trace) }
        // The proof itself, not our word for it: the service verifies the token again.
        if let token { headers.add(EnvelopeHeader.accessToken, token) }
        return headers
    }

    private func authenticate(_ request: Request) -> Result<(claims: AccessTokenClaims, token: String), ResponseFailure> {
        var challenge = HTTPFields()
        challenge[.wwwAuthenticate] = "Bearer"
        guard let header = request.headers[.authorization] else {
            return .failure(ResponseFailure(ErrorResponse.make(401, "Not authenticated", headers: challenge)))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, String(parts[0]).caseInsensitiveEquals("bearer") else {
            return .failure(ResponseFailure(ErrorResponse.make(401, "Not authenticated", headers: challenge)))
        }
        let token = String(parts[1].drop { $0 == " " })
        do {
            return .success((try verifier.verify(token), token))
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            challenge[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
            return .failure(ResponseFailure(ErrorResponse.make(401, error.detail, headers: challenge)))
        }
    }

    private func collectBody(_ request: Request) async -> Result<Data, ResponseFailure> {
        let tooLarge = ResponseFailure(
            ErrorResponse.make(413, "Request body is larger than \(bodyLimit) bytes"))
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit {
            return .failure(tooLarge)
        }
        var buffer = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= bodyLimit else { return .failure(tooLarge) }
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            }
        } catch {
            return .failure(ResponseFailure(ErrorResponse.make(400, "Could not read the request body")))
        }
        return .success(Data(buffer.readableBytesView))
    }

    private func makeResponse(from reply: NatsMessage, extraHeaders: HTTPFields) -> Response {
        guard let status = reply.headers[EnvelopeHeader.status].flatMap(Int.init), (100...599).contains(status) else {
            return ErrorResponse.make(502, "The service sent an invalid reply")
        }
        var headers = extraHeaders
        for (name, field) in Self.replyFields {
            for value in reply.headers.values(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: reply.payload)))
    }

    /// Keeps a well-formed incoming `X-Request-ID` (for tracing across systems), or makes one.
    static func requestID(from header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count), header.utf8.allSatisfy(Self.isRequestIDByte) {
            return header
        }
        return RequestID.make()
    }

    private static func isRequestIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}

/// A response that ends the request early (an auth failure, a body too large).
struct ResponseFailure: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}

enum RateLimitHeaders {
    static let limit = HTTPField.Name("RateLimit-Limit")!
    static let remaining = HTTPField.Name("RateLimit-Remaining")!
    static let reset = HTTPField.Name("RateLimit-Reset")!
    static let policy = HTTPField.Name("RateLimit-Policy")!
}

enum JSONResponse {
    static func make(_ status: Int, _ value: some Encodable) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = SecurityHeaders.jsonContentType
        let body = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
