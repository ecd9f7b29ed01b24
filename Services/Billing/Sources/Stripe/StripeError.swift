import Foundation
import TollgateServiceKit

/// A failed Stripe call, with what Stripe said: `type`, `code`, `message`, `param` from the error
/// body, the HTTP status and the `Request-Id` (for Stripe's support).
public struct StripeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidRequest, authentication, card, permission, idempotency, rateLimit, api, connection
    }

    public let status: Int?
    public let type: String?
    public let code: String?
    public let message: String
    public let param: String?
    public let requestID: String?

    public init(status: Int?, type: String?, code: String?, message: String, param: String?, requestID: String?) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.requestID = requestID
    }

    /// The class Stripe's libraries would raise, from the status and body (stripe-python's mapping).
    public var kind: Kind {
        guard let status else { return .connection }
        switch status {
        case 429: return .rateLimit
        case 400 where code == "rate_limit": return .rateLimit
        case 400, 404: return type == "idempotency_error" ? .idempotency : .invalidRequest
        case 401: return .authentication
        case 402: return .card
        case 403: return .permission
        default: return .api
        }
    }

    public var description: String {
        var text = "Stripe \(status.map(String.init) ?? "connection") \(type ?? "error")"
        if let code { text += " (\(code))" }
        text += ": \(message)"
        if let param { text += " [param \(param)]" }
        if let requestID { text += " {\(requestID)}" }
        return text
    }

    private struct Body: Decodable {
        struct Inner: Decodable {
            let type: String?
            let code: String?
            let message: String?
            let param: String?
        }
        let error: Inner
    }

    /// From an error response; a body that is not Stripe's error shape keeps its status.
    static func from(status: Int, body: Data, requestID: String?) -> StripeError {
        let inner = (try? JSONDecoder().decode(Body.self, from: body))?.error
        return StripeError(
            status: status, type: inner?.type, code: inner?.code,
            message: inner?.message ?? "HTTP \(status) without a Stripe error body", param: inner?.param,
            requestID: requestID)
    }

    static func connection(_ error: any Error) -> StripeError {
        StripeError(status: nil, type: nil, code: nil, message: "\(error)", param: nil, requestID: nil)
    }
}

extension StripeError {
    /// Runs a Stripe call made for a client and answers a Stripe refusal with 502 and Stripe's
    /// message after `summary` (nothing was changed here).
    static func answeringClient<Value>(_ summary: String, _ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as StripeError {
            throw HTTPFailure(502, "\(summary): \(error.message)")
        }
    }
}
