import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The few HTTP calls sign-in makes to providers: JSON reads and form-encoded token requests, with
/// a timeout and a size limit, and failures as `ProviderError` (never the provider's raw answer).
struct ProviderHTTP: Sendable {
    var http: HTTPClient = .shared
    var timeout: TimeAmount = .seconds(10)

    struct ProviderError: Error, CustomStringConvertible {
        let description: String
    }

    func getJSON<Value: Decodable>(_ url: String, bearer: String? = nil, as type: Value.Type) async throws -> Value {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Tollgate")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        return try await send(request, as: type)
    }

    func postForm<Value: Decodable>(_ url: String, _ fields: [(String, String)], as type: Value.Type) async throws -> Value {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Tollgate")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.form(fields)))
        return try await send(request, as: type)
    }

    private func send<Value: Decodable>(_ request: HTTPClientRequest, as type: Value.Type) async throws -> Value {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw ProviderError(description: "provider unreachable: \(error)")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ProviderError(description: "provider answered \(response.status.code) to \(request.url)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: body))
        } catch {
            throw ProviderError(description: "unexpected answer from \(request.url): \(error)")
        }
    }

    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
