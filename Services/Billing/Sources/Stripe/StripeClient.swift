import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small client for Stripe's v1 REST API: form-encoded bodies in bracket notation, the pinned
/// `Stripe-Version` on every request, an `Idempotency-Key` on every POST (the caller derives it from
/// the local row the write concerns, so a retry after a crash reuses it), retries as Stripe's
/// libraries do, and `StripeError` carrying what Stripe said.
public struct StripeClient: Sendable {
    /// Every shape Tollgate reads is the same from `2025-03-31.basil` on; see shared/STRIPE.md.
    public static let apiVersion = "2026-10-28.endive"

    let secretKey: String
    let apiBase: String
    let retry: StripeRetryPolicy
    let timeout: TimeAmount
    let http: HTTPClient

    public init(
        secretKey: String, apiBase: String = "https://api.stripe.com", retry: StripeRetryPolicy = StripeRetryPolicy(),
        timeout: TimeAmount = .seconds(30), http: HTTPClient = .shared
    ) {
        self.secretKey = secretKey
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.retry = retry
        self.timeout = timeout
        self.http = http
    }

    public func post<Response: Decodable>(
        _ path: String, _ parameters: [(String, StripeParameter)], idempotencyKey: String, as type: Response.Type
    ) async throws -> Response {
        try decode(type, try await send(.POST, path, form: StripeForm.encode(parameters), idempotencyKey: idempotencyKey))
    }

    public func get<Response: Decodable>(
        _ path: String, query: [(String, StripeParameter)] = [], as type: Response.Type
    ) async throws -> Response {
        try decode(type, try await send(.GET, path, query: StripeForm.encode(query)))
    }

    public func delete<Response: Decodable>(_ path: String, as type: Response.Type) async throws -> Response {
        try decode(type, try await send(.DELETE, path))
    }

    /// The raw JSON of a successful answer, after the retries the policy allows.
    func send(
        _ method: HTTPMethod, _ path: String, form: String? = nil, query: String = "", idempotencyKey: String? = nil
    ) async throws -> Data {
        var retries = 0
        while true {
            let failure: StripeError
            let shouldRetryHeader: String?
            do {
                let response = try await http.execute(
                    request(method, path, form: form, query: query, idempotencyKey: idempotencyKey), timeout: timeout)
                let body = Data(buffer: try await response.body.collect(upTo: 16 << 20))
                if (200..<300).contains(Int(response.status.code)) { return body }
                failure = StripeError.from(
                    status: Int(response.status.code), body: body, requestID: response.headers.first(name: "Request-Id"))
                shouldRetryHeader = response.headers.first(name: "Stripe-Should-Retry")
            } catch {
                failure = StripeError.connection(error)
                shouldRetryHeader = nil
            }
            guard retry.shouldRetry(failure, shouldRetryHeader: shouldRetryHeader, retriesSoFar: retries) else {
                throw failure
            }
            try await Task.sleep(for: retry.delay(beforeRetry: retries))
            retries += 1
        }
    }

    private func request(_ method: HTTPMethod, _ path: String, form: String?, query: String, idempotencyKey: String?)
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: apiBase + path + (query.isEmpty ? "" : "?" + query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Stripe-Version", value: Self.apiVersion)
        request.headers.add(name: "User-Agent", value: "Tollgate/1 (Swift)")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        return request
    }

    private func decode<Response: Decodable>(_ type: Response.Type, _ data: Data) throws -> Response {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw StripeError(
                status: 200, type: "api_error", code: nil, message: "unexpected response shape: \(error)", param: nil,
                requestID: nil)
        }
    }
}
