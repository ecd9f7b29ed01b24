import Foundation
import TollgateContracts
import TollgateMessaging

/// An HTTP request as the gateway forwarded it over NATS.
public struct ServiceRequest: Sendable {
    public let method: String
    public let path: String
    public let pathParameters: [String: String]
    public let query: [String: String]
    public let clientIP: String?
    public let requestID: String?
    public let userAgent: String?
    public let cookies: [String: String]
    public let body: Data
    /// The access token the gateway forwarded (signed-in routes only); not yet believed.
    public let accessToken: String?
    /// The caller, once the router has verified `accessToken` itself (`serve` of a signed-in endpoint).
    public private(set) var principal: Principal?

    public init(
        method: String = "GET", path: String = "/", pathParameters: [String: String] = [:],
        query: [String: String] = [:], clientIP: String? = nil, requestID: String? = nil, userAgent: String? = nil,
        cookies: [String: String] = [:], body: Data = Data(), accessToken: String? = nil, principal: Principal? = nil
    ) {
        self.method = method
        self.path = path
        self.pathParameters = pathParameters
        self.query = query
        self.clientIP = clientIP
        self.requestID = requestID
        self.userAgent = userAgent
        self.cookies = cookies
        self.body = body
        self.accessToken = accessToken
        self.principal = principal
    }

    init(envelope: RequestEnvelope, body: Data) {
        self.init(
            method: envelope.method, path: envelope.path, pathParameters: envelope.pathParameters,
            query: QueryString.parse(envelope.query), clientIP: envelope.clientIP, requestID: envelope.requestID,
            userAgent: envelope.userAgent, cookies: CookieHeader.parse(envelope.cookie ?? ""), body: body,
            accessToken: envelope.accessToken)
    }

    /// This request with its caller proven.
    func proven(as principal: Principal) -> ServiceRequest {
        var copy = self
        copy.principal = principal
        return copy
    }

    /// Refuses a query parameter holding NUL (422), as a body's strings are: PostgreSQL refuses NUL
    /// in text, and no parameter of ours needs one.
    func refuseNUL() throws(ValidationFailure) {
        guard let (name, _) = query.first(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) }) else { return }
        throw ValidationFailure(field: name.utf8.contains(0) ? "query" : name, JSONSyntax.Problem.nul.message)
    }

    /// Decodes the JSON body; malformed or mistyped input becomes a `ValidationFailure` (422).
    public func decode<Body: Decodable>(_ type: Body.Type) throws(ValidationFailure) -> Body {
        try JSONBody.decode(type, from: body)
    }
}

enum QueryString {
    static func parse(_ query: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            guard !name.isEmpty, values[name] == nil else { continue }
            values[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return values
    }

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
    }
}

enum CookieHeader {
    static func parse(_ header: String) -> [String: String] {
        var cookies: [String: String] = [:]
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return cookies
    }
}
