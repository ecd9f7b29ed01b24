import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import TollgateContracts
import TollgateMessaging

/// The end of an upstream route's chain: forwards the request over HTTP, streaming the body both
/// ways (the request's up to `bodyLimit` bytes, the answer's as it comes). An upstream that refuses
/// the connection, resets it or answers nonsense is 502; one whose answer has not begun within the
/// route's timeout, 504 (once it has begun, a long answer streams for as long as it takes).
struct UpstreamForwarder: HTTPResponder {
    typealias Context = GatewayRequestContext

    let route: GatewayRoute
    let upstream: Upstream
    let client: HTTPClient
    /// Signs the caller's assertion (nil only when no route needs one: see `GatewayService`).
    let assertions: AssertionSigner?
    /// The caller's plan and features, for the identity headers.
    let plans: TierGate
    let clock: TimeSource
    let clientAddress: ClientAddress
    let bodyLimit: Int
    let logger: Logger

    static let takesBody: Set<HTTPRequest.Method> = [.post, .put, .patch]

    func respond(to request: Request, context: Context) async throws -> Response {
        let length = request.headers[.contentLength].flatMap(Int64.init)
        if let length, length > bodyLimit { return ErrorResponse.make(413, "Request body is larger than \(bodyLimit) bytes") }
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let prefix = route.isWildcard ? String(route.path.dropLast(2)) : nil
        var outgoing = HTTPClientRequest(url: upstream.url(requestPath: request.uri.path, routePrefix: prefix, query: request.uri.query))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        var assertion: String?
        var entitlement: Entitlement?
        if let caller = context.caller?.claims {
            entitlement = plans.active(user: caller.sub, now: clock.now)
            assertion = try assertions?.assertion(for: caller, plan: entitlement, audience: upstream.name)
        }
        outgoing.headers = UpstreamHeaders.request(
            request.headers, authority: request.head.authority,
            .init(
                peer: peer, peerIsTrustedProxy: clientAddress.trusts(peer), requestID: context.requestID,
                caller: context.caller?.claims, plan: entitlement, assertion: assertion, forwardAuthorization: route.forwardAuthorization))
        // A body of known length goes up as such; on a method that takes one, a body without a
        // length (sent chunked; the framing never reaches here) goes up chunked.
        if length != nil || Self.takesBody.contains(request.method) {
            let body = LimitedBody(base: request.body, limit: bodyLimit)
            outgoing.body = .stream(body, length: length.map { .known($0) } ?? .unknown)
        }
        let answer: HTTPClientResponse
        do {
            answer = try await client.execute(outgoing, deadline: .now() + .nanoseconds(route.timeout.nanoseconds))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return ErrorResponse.make(504, "The upstream service did not answer in time")
        } catch is LimitedBody.TooLarge {
            return ErrorResponse.make(413, "Request body is larger than \(bodyLimit) bytes")
        } catch {
            logger.warning("upstream failed", metadata: ["upstream": "\(upstream.name)", "error": "\(error)"])
            return ErrorResponse.make(502, "The upstream service could not be reached")
        }
        return Response(
            status: HTTPResponse.Status(code: Int(answer.status.code)), headers: UpstreamHeaders.response(answer.headers),
            body: ResponseBody(asyncSequence: answer.body))
    }
}

/// A request body passed on as it arrives, refused past `limit` bytes.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct TooLarge: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit { throw TooLarge() }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}
