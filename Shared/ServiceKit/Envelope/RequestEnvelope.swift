import Foundation
import TollgateMessaging

/// An HTTP request's metadata as it travels over NATS ("HTTP over NATS"): the gateway encodes it
/// into message headers, the body rides as the payload, and the service decodes it. The only
/// place either side names a header, so every field sent is a field read.
public struct RequestEnvelope: Sendable, Equatable {
    public var method: String
    public var path: String
    /// Path parameters, percent-decoded (`{"user_id": "…"}`).
    public var pathParameters: [String: String]
    /// The raw query string, without `?`.
    public var query: String
    public var clientIP: String?
    public var requestID: String?
    /// The raw `Cookie` header.
    public var cookie: String?
    public var userAgent: String?
    /// The access token the gateway verified, on signed-in routes only. Services verify it again
    /// rather than take the gateway's word: a stolen gateway credential alone cannot act as a user.
    public var accessToken: String?
    /// How long the gateway waits for the answer: the service drops work it cannot finish in time.
    public var budget: Duration?

    public init(
        method: String, path: String, pathParameters: [String: String] = [:], query: String = "",
        clientIP: String? = nil, requestID: String? = nil, cookie: String? = nil, userAgent: String? = nil,
        accessToken: String? = nil, budget: Duration? = nil
    ) {
        self.method = method
        self.path = path
        self.pathParameters = pathParameters
        self.query = query
        self.clientIP = clientIP
        self.requestID = requestID
        self.cookie = cookie
        self.userAgent = userAgent
        self.accessToken = accessToken
        self.budget = budget
    }

    /// RFC 3986's unreserved characters: every other is percent-encoded in the path parameters.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private enum Header {
        static let method = "Tollgate-Method"
        static let path = "Tollgate-Path"
        /// A JSON object of percent-encoded values: a header holds no line break (nor any
        /// character NATS would refuse), whatever a client put in the path.
        static let pathParameters = "Tollgate-Path-Params"
        static let query = "Tollgate-Query"
        static let clientIP = "Tollgate-Client-IP"
        static let requestID = "Tollgate-Request-ID"
        static let cookie = "Tollgate-Cookie"
        static let userAgent = "Tollgate-User-Agent"
        static let accessToken = "Tollgate-Access-Token"
        /// Milliseconds.
        static let budget = "Tollgate-Budget-Ms"
    }

    public var natsHeaders: NatsHeaders {
        // `add`, not the subscript: every name is set once, and the subscript scans for duplicates.
        var headers = NatsHeaders()
        headers.add(Header.method, method)
        headers.add(Header.path, path)
        if !pathParameters.isEmpty,
            let json = try? JSONEncoder().encode(pathParameters.mapValues { $0.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "" })
        {
            headers.add(Header.pathParameters, String(decoding: json, as: UTF8.self))
        }
        if !query.isEmpty { headers.add(Header.query, query) }
        if let clientIP { headers.add(Header.clientIP, clientIP) }
        if let requestID { headers.add(Header.requestID, requestID) }
        if let cookie { headers.add(Header.cookie, cookie) }
        if let userAgent { headers.add(Header.userAgent, userAgent) }
        if let accessToken { headers.add(Header.accessToken, accessToken) }
        if let budget {
            let milliseconds = budget.components.seconds * 1000 + budget.components.attoseconds / 1_000_000_000_000_000
            headers.add(Header.budget, String(milliseconds))
        }
        return headers
    }

    /// Reads what `natsHeaders` wrote; a missing or malformed field reads as absent.
    public init(natsHeaders headers: NatsHeaders) {
        let parameters = headers[Header.pathParameters].flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }?.compactMapValues { $0.removingPercentEncoding }
        let budget = headers[Header.budget].flatMap(Int64.init).flatMap { $0 > 0 ? Duration.milliseconds($0) : nil }
        self.init(
            method: headers[Header.method] ?? "GET", path: headers[Header.path] ?? "/",
            pathParameters: parameters ?? [:], query: headers[Header.query] ?? "",
            clientIP: headers[Header.clientIP], requestID: headers[Header.requestID], cookie: headers[Header.cookie],
            userAgent: headers[Header.userAgent], accessToken: headers[Header.accessToken], budget: budget)
    }
}
