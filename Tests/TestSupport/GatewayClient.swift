import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// An HTTP response as a test reads it.
public struct HTTPResult: Sendable {
    public let status: Int
    public let headers: HTTPFields
    public let body: Data

    public func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    public func headerValues(_ name: String) -> [String] {
        guard let field = HTTPField.Name(name) else { return [] }
        return headers[values: field]
    }

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:]
    }

    public var jsonArray: [[String: Any]] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]]) ?? []
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Talks HTTP to a port on loopback, one connection per request, like a simple client would.
public struct GatewayClient: Sendable {
    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    public func send(
        _ method: HTTPRequest.Method, _ path: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> HTTPResult {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        if body != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let request = TestClient.Request(path, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        let response = try await TestClient.withClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30))
        ) { client in
            try await client.execute(request)
        }
        return HTTPResult(
            status: Int(response.status.code), headers: response.headers,
            body: response.body.map { Data($0.readableBytesView) } ?? Data())
    }

    public func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        var headers = headers
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await send(.get, path, headers: headers)
    }

    public func post(_ path: String, json: [String: Any], token: String? = nil) async throws -> HTTPResult {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await send(.post, path, headers: headers, body: try JSONSerialization.data(withJSONObject: json))
    }
}
