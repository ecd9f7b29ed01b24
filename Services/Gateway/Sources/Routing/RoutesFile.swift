import Foundation
import TollgateContracts
import Yams

/// `gateway-config/gateway.yaml`, as written: what an operator sets. The routes of Tollgate's own
/// services are declared in code (`Endpoint.all`); this file sets their limits and may override a
/// route's tier, timeout or policy, and may add routes of its own.
public struct RoutesFile: Decodable, Sendable {
    public struct Cors: Decodable, Sendable {
        public var origins: [String]
    }

    public struct Policy: Decodable, Sendable {
        public var limit: Int
        public var windowSeconds: Int
        public var key: RateLimitKey

        public init(limit: Int, windowSeconds: Int, key: RateLimitKey) {
            self.limit = limit
            self.windowSeconds = windowSeconds
            self.key = key
        }

        enum CodingKeys: String, CodingKey {
            case limit, key
            case windowSeconds = "window_seconds"
        }
    }

    /// What an operator may change in a declared route (`"GET /me": { tier: 1 }`).
    public struct Override: Decodable, Sendable {
        public var tier: Int?
        public var timeoutSeconds: Double?
        public var rateLimit: String?
        /// A feature the caller's plan must list.
        public var feature: String?
        /// A limit of the caller's plan each call counts against, per billing period.
        public var quota: String?

        public init(
            tier: Int? = nil, timeoutSeconds: Double? = nil, rateLimit: String? = nil, feature: String? = nil, quota: String? = nil
        ) {
            self.tier = tier
            self.timeoutSeconds = timeoutSeconds
            self.rateLimit = rateLimit
            self.feature = feature
            self.quota = quota
        }

        enum CodingKeys: String, CodingKey {
            case tier, feature, quota
            case rateLimit = "rate_limit"
            case timeoutSeconds = "timeout_seconds"
        }
    }

    /// A route the file adds: to a subject some service on the bus answers, or to an HTTP upstream
    /// (the team's own app).
    public struct Route: Decodable, Sendable {
        /// One method, or several (`[GET, POST]`): a route each, alike but for the method.
        public var method: MethodList
        /// Ends in `/*` on an upstream route to forward everything below it.
        public var path: String
        /// The NATS subject (relative to the prefix); or else `upstream`.
        public var subject: String?
        /// `http://host:port[/path]` (or https): the route is forwarded over HTTP.
        public var upstream: String?
        public var auth: Endpoint.Access
        public var rateLimit: String?
        /// Overrides the file's `request_timeout_seconds` for this route.
        public var timeoutSeconds: Double?
        /// The lowest plan tier that may call this route (needs `auth: user` or `admin`).
        public var tier: Int?
        /// The route acts on the refresh cookie, which a browser attaches to cross-site requests
        /// too: only an allowed `Origin`, or none with a JSON content type, gets through.
        public var refreshCookie: Bool?
        /// Upstream routes: pass the client's `Authorization` header on (it is removed otherwise).
        public var forwardAuthorization: Bool?
        /// A feature the caller's plan must list (needs `auth: user` or `admin`).
        public var feature: String?
        /// A limit of the caller's plan each call counts against, per billing period (needs `auth:
        /// user` or `admin`).
        public var quota: String?

        public init(
            method: MethodList, path: String, subject: String? = nil, upstream: String? = nil, auth: Endpoint.Access,
            rateLimit: String? = nil, timeoutSeconds: Double? = nil, tier: Int? = nil, refreshCookie: Bool? = nil,
            forwardAuthorization: Bool? = nil, feature: String? = nil, quota: String? = nil
        ) {
            self.feature = feature
            self.quota = quota
            self.refreshCookie = refreshCookie
            self.method = method
            self.path = path
            self.subject = subject
            self.upstream = upstream
            self.auth = auth
            self.rateLimit = rateLimit
            self.timeoutSeconds = timeoutSeconds
            self.tier = tier
            self.forwardAuthorization = forwardAuthorization
        }

        enum CodingKeys: String, CodingKey {
            case method, path, subject, upstream, auth, tier, feature, quota
            case rateLimit = "rate_limit"
            case timeoutSeconds = "timeout_seconds"
            case refreshCookie = "refresh_cookie"
            case forwardAuthorization = "forward_authorization"
        }
    }

    public var bodyLimit: Int
    public var requestTimeoutSeconds: Double
    public var cors: Cors?
    public var trustedProxies: [String]?
    public var policies: [String: Policy]
    /// By `"METHOD /path"` of a declared route.
    public var overrides: [String: Override] = [:]
    public var routes: [Route] = []

    enum CodingKeys: String, CodingKey {
        case cors, policies, routes, overrides
        case bodyLimit = "body_limit"
        case requestTimeoutSeconds = "request_timeout_seconds"
        case trustedProxies = "trusted_proxies"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bodyLimit = try container.decode(Int.self, forKey: .bodyLimit)
        requestTimeoutSeconds = try container.decode(Double.self, forKey: .requestTimeoutSeconds)
        cors = try container.decodeIfPresent(Cors.self, forKey: .cors)
        trustedProxies = try container.decodeIfPresent([String].self, forKey: .trustedProxies)
        policies = try container.decode([String: Policy].self, forKey: .policies)
        overrides = try container.decodeIfPresent([String: Override].self, forKey: .overrides) ?? [:]
        routes = try container.decodeIfPresent([Route].self, forKey: .routes) ?? []
    }

    public static func load(path: String) throws -> RoutesFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GatewayConfigError(message: "cannot read gateway config \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String = "gateway config") throws -> RoutesFile {
        do {
            return try YAMLDecoder().decode(RoutesFile.self, from: text)
        } catch let error as DecodingError {
            throw GatewayConfigError(message: "\(source): \(GatewayConfigError.describe(error))")
        } catch {
            throw GatewayConfigError(message: "\(source): \(error)")
        }
    }
}

/// `method: GET` or `method: [GET, POST]`.
public struct MethodList: Decodable, Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let methods: [String]

    public init(_ methods: [String]) {
        self.methods = methods
    }

    public init(stringLiteral value: String) {
        methods = [value]
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            methods = [one]
        } else {
            methods = try container.decode([String].self)
        }
    }

    public var description: String { methods.joined(separator: ",") }
}

/// `auth: none` (or `public`), `user` or `admin`.
extension Endpoint.Access: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch try container.decode(String.self) {
        case "none", "public": self = .public
        case "user": self = .user
        case "admin": self = .admin
        case let other:
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected none, user or admin, got \(other)")
        }
    }
}

public enum RateLimitKey: String, Decodable, Sendable {
    case ip
    case principal
    case ipAndRoute = "ip+route"
}

public struct GatewayConfigError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
