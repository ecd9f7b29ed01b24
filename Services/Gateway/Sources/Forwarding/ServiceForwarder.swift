import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TollgateMessaging
import TollgateServiceKit

/// The end of every route's chain: reads the body (at most `bodyLimit` bytes), sends the request
/// over NATS in the envelope and turns the service's reply back into HTTP. A service that is not
/// there is 503, one that does not answer within the route's timeout 504.
struct ServiceForwarder: HTTPResponder {
    typealias Context = GatewayRequestContext

    let route: GatewayRoute
    let connection: NatsConnection
    let bodyLimit: Int
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        var parameters: [String: String] = [:]
        for name in route.parameterNames {
            guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding else {
                return ErrorResponse.make(404, "Not Found")
            }
            parameters[name] = value
        }
        let body: Data
        switch await collectBody(request) {
        case .success(let data): body = data
        case .failure(let failure): return failure.response
        }
        if JSONContentType.takesBody(route.method), request.headers[.contentType] == nil, !body.isEmpty {
            return ErrorResponse.make(415, JSONContentType.refusal)
        }
        guard connection.isConnected else { return ErrorResponse.make(503, "Service unavailable") }
        let envelope = RequestEnvelope(
            method: route.method, path: request.uri.path, pathParameters: parameters, query: request.uri.query ?? "",
            clientIP: context.clientAddress, requestID: context.requestID, cookie: request.headers[.cookie],
            userAgent: request.headers[.userAgent], accessToken: context.caller?.token, budget: route.timeout)
        do {
            let reply = try await connection.request(
                route.subject, payload: body, headers: envelope.natsHeaders, timeout: route.timeout)
            return Self.response(from: reply)
        } catch let error as NatsError {
            switch error.code {
            case .noResponders:
                return ErrorResponse.make(503, "Service unavailable")
            case .timeout:
                return ErrorResponse.make(504, "The service did not answer in time")
            default:
                logger.warning("forward failed", metadata: ["subject": "\(route.subject)", "error": "\(error)"])
                return ErrorResponse.make(503, "Service unavailable")
            }
        } catch {
            return ErrorResponse.make(503, "Service unavailable")
        }
    }

    private func collectBody(_ request: Request) async -> Result<Data, ResponseFailure> {
        let tooLarge = ResponseFailure(ErrorResponse.make(413, "Request body is larger than \(bodyLimit) bytes"))
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

    static func response(from reply: NatsMessage) -> Response {
        guard let answer = ReplyEnvelope(natsHeaders: reply.headers) else {
            return ErrorResponse.make(502, "The service sent an invalid reply")
        }
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: reply.payload)))
    }
}

/// A response that ends the request early (a body too large).
struct ResponseFailure: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
