import Foundation

/// A route ready for matching.
public struct GatewayRoute: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public let method: String
    public let path: String
    /// The full NATS subject (prefix included).
    public let subject: String
    public let auth: AuthRequirement
    public let policy: RateLimitPolicy?
    /// How long the gateway waits for the service's reply.
    public let timeout: Duration
    /// The lowest plan tier allowed (from the entitlements bucket), if the route has one.
    public let tier: Int?
    /// Acts on the refresh cookie: cross-site requests are refused (`RefreshCookieGuard`).
    public let refreshCookie: Bool
    let segments: [Segment]
}

/// What a request's method and path lead to.
public enum RouteMatch: Sendable {
    case found(GatewayRoute, parameters: [String: String])
    /// The path exists for other methods only.
    case methodNotAllowed(allowed: [String])
    case notFound
}

/// The gateway's routes in configuration order; the first route whose method and path match wins.
public struct RouteTable: Sendable {
    public let routes: [GatewayRoute]

    public init(routes: [GatewayRoute]) {
        self.routes = routes
    }

    /// Builds the table from the file, checking every route names a known policy and a valid path.
    public init(file: RoutesFile, subjectPrefix: String) throws {
        var problems: [String] = []
        let policies = file.policies.mapValues { RateLimitPolicy(name: "", from: $0) }
        var routes: [GatewayRoute] = []
        for (index, route) in file.routes.enumerated() {
            let where_ = "routes[\(index)] (\(route.method) \(route.path))"
            let method = route.method.uppercased()
            if method.isEmpty || !method.allSatisfy({ $0.isLetter }) { problems.append("\(where_): bad method") }
            guard route.path.hasPrefix("/") else {
                problems.append("\(where_): path must start with /")
                continue
            }
            var policy: RateLimitPolicy?
            if let name = route.rateLimit {
                if let found = policies[name] {
                    policy = RateLimitPolicy(name: name, limit: found.limit, window: found.window, key: found.key)
                } else {
                    problems.append("\(where_): unknown rate_limit policy \(name)")
                }
            }
            let seconds = route.timeoutSeconds ?? file.requestTimeoutSeconds
            if !(0.05...300).contains(seconds) { problems.append("\(where_): timeout must be 0.05 to 300 seconds") }
            if route.subject.isEmpty || route.subject.contains(" ") || route.subject.contains("*") || route.subject.contains(">") {
                problems.append("\(where_): subject must be a plain NATS subject")
            }
            // Services answer each other on `….internal.…` subjects with no gateway check in front.
            if route.subject.split(separator: ".").contains("internal") {
                problems.append("\(where_): internal subjects cannot be routed")
            }
            if let tier = route.tier {
                if route.auth == .none { problems.append("\(where_): tier needs auth user or admin") }
                if tier < 1 { problems.append("\(where_): tier must be at least 1") }
            }
            routes.append(
                GatewayRoute(
                    method: method, path: route.path, subject: "\(subjectPrefix).\(route.subject)", auth: route.auth,
                    policy: policy, timeout: .milliseconds(Int64(seconds * 1000)), tier: route.tier,
                    refreshCookie: route.refreshCookie ?? false, segments: RouteTable.segments(of: route.path)))
        }
        if file.bodyLimit < 0 { problems.append("body_limit must not be negative") }
        for (name, policy) in file.policies where policy.limit < 1 || policy.windowSeconds < 1 {
            problems.append("policies.\(name): limit and window_seconds must be at least 1")
        }
        if !problems.isEmpty { throw GatewayConfigError(message: problems.joined(separator: "; ")) }
        self.routes = routes
    }

    static func segments(of path: String) -> [GatewayRoute.Segment] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }

    public func match(method: String, path: String) -> RouteMatch {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var allowed: [String] = []
        for route in routes {
            guard let parameters = RouteTable.bind(route.segments, to: parts) else { continue }
            if route.method == method { return .found(route, parameters: parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [GatewayRoute.Segment], to parts: ArraySlice<Substring>) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard !part.isEmpty, let value = String(part).removingPercentEncoding else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}
