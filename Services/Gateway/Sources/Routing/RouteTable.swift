import Foundation
import TollgateContracts

/// A route ready for matching.
public struct GatewayRoute: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        /// A path's final `*`: whatever follows, any number of segments (upstream routes only).
        case rest
    }

    public let method: String
    public let path: String
    /// The full NATS subject (prefix included); empty for an upstream route.
    public let subject: String
    /// Where an upstream route is forwarded over HTTP (nil: over NATS, to `subject`).
    public let upstream: Upstream?
    /// Upstream routes: the client's `Authorization` header is passed on.
    public let forwardAuthorization: Bool
    public let access: Endpoint.Access
    public let policy: RateLimitPolicy?
    /// How long the gateway waits for the service's reply.
    public let timeout: Duration
    /// The lowest plan tier allowed (from the entitlements bucket), if the route has one.
    public let tier: Int?
    /// A feature the caller's plan must list, if the route names one.
    public let feature: String?
    /// A limit of the caller's plan each call counts against, if the route names one.
    public let quota: String?
    /// Acts on the refresh cookie: cross-site requests are refused (`RefreshCookieGuard`).
    public let refreshCookie: Bool
    let segments: [Segment]
    /// The names of the path's parameters, in order.
    let parameterNames: [String]

    /// The path ends in `/*`.
    var isWildcard: Bool { segments.last == .rest }

    /// What the route leads to, in words (the API document's summary of a route the file adds).
    var destination: String {
        upstream.map { "Forwarded to \($0.name)" } ?? "Routed to \(subject)"
    }

    init(
        method: String, path: String, subject: String, access: Endpoint.Access, policy: RateLimitPolicy?,
        timeout: Duration, tier: Int?, refreshCookie: Bool, upstream: Upstream? = nil, forwardAuthorization: Bool = false,
        feature: String? = nil, quota: String? = nil
    ) {
        self.feature = feature
        self.quota = quota
        self.method = method
        self.path = path
        self.subject = subject
        self.upstream = upstream
        self.forwardAuthorization = forwardAuthorization
        self.access = access
        self.policy = policy
        self.timeout = timeout
        self.tier = tier
        self.refreshCookie = refreshCookie
        segments = RouteTable.segments(of: path)
        parameterNames = segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }
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

    /// Builds the table from the services' declared endpoints, with the file's overrides, then the
    /// file's own routes; checks every route names a known policy, a valid path and a unique
    /// method and path, and every override a declared route.
    public init(file: RoutesFile, endpoints: [Endpoint] = Endpoint.all, subjectPrefix: String) throws {
        var problems: [String] = []
        var routes: [GatewayRoute] = []
        func add(
            _ where_: String, method: String, path: String, subject: String, access: Endpoint.Access, rateLimit: String?,
            timeoutSeconds: Double?, tier: Int?, refreshCookie: Bool, upstream: Upstream? = nil, forwardAuthorization: Bool = false,
            feature: String? = nil, quota: String? = nil
        ) {
            if method.isEmpty || !method.allSatisfy({ $0.isLetter }) { problems.append("\(where_): bad method") }
            guard path.hasPrefix("/") else {
                problems.append("\(where_): path must start with /")
                return
            }
            if path.dropLast(path.hasSuffix("/*") ? 2 : 0).contains("*") || (path.hasSuffix("/*") && upstream == nil) {
                problems.append("\(where_): only an upstream route's path may end in /*, and * appears nowhere else")
            }
            if routes.contains(where: { $0.method == method && $0.path == path }) {
                problems.append("\(where_): \(method) \(path) is routed twice")
            }
            var policy: RateLimitPolicy?
            if let name = rateLimit {
                if let found = file.policies[name] {
                    policy = RateLimitPolicy(name: name, from: found)
                } else {
                    problems.append("\(where_): unknown rate_limit policy \(name)")
                }
            }
            let seconds = timeoutSeconds ?? file.requestTimeoutSeconds
            if !(0.05...300).contains(seconds) { problems.append("\(where_): timeout must be 0.05 to 300 seconds") }
            // A plan's feature and limit names: 1 to 64 lower-case letters, digits, - or _.
            for (field, name) in [("feature", feature), ("quota", quota)] {
                guard let name else { continue }
                if access == .public { problems.append("\(where_): \(field) needs auth user or admin") }
                let valid = (1...64).contains(name.count)
                    && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
                if !valid { problems.append("\(where_): \(field) must be 1 to 64 lower-case letters, digits, - or _") }
            }
            if let tier {
                if access == .public { problems.append("\(where_): tier needs auth user or admin") }
                if tier < 1 { problems.append("\(where_): tier must be at least 1") }
            }
            routes.append(
                GatewayRoute(
                    method: method, path: path, subject: subject, access: access, policy: policy,
                    timeout: .milliseconds(Int64(seconds * 1000)), tier: tier, refreshCookie: refreshCookie, upstream: upstream,
                    forwardAuthorization: forwardAuthorization, feature: feature, quota: quota))
        }

        var overridden = Set<String>()
        for endpoint in endpoints {
            let key = "\(endpoint.method) \(endpoint.path)"
            let override = file.overrides[key]
            if override != nil { overridden.insert(key) }
            add(
                "overrides.\(key)", method: endpoint.method, path: endpoint.path, subject: "\(subjectPrefix).\(endpoint.subject)",
                access: endpoint.access, rateLimit: override?.rateLimit ?? endpoint.rateLimit,
                timeoutSeconds: override?.timeoutSeconds ?? endpoint.timeoutSeconds, tier: override?.tier ?? endpoint.tier,
                refreshCookie: endpoint.refreshCookie, feature: override?.feature, quota: override?.quota)
        }
        for key in file.overrides.keys.sorted() where !overridden.contains(key) {
            problems.append("overrides.\(key): no declared route has this method and path")
        }
        for (index, route) in file.routes.enumerated() {
            let where_ = "routes[\(index)] (\(route.method) \(route.path))"
            var upstream: Upstream?
            switch (route.subject, route.upstream) {
            case (let subject?, nil):
                if subject.isEmpty || subject.contains(" ") || subject.contains("*") || subject.contains(">") {
                    problems.append("\(where_): subject must be a plain NATS subject")
                }
                // Services answer each other on `….internal.…` subjects with no gateway check in front.
                if subject.split(separator: ".").contains("internal") {
                    problems.append("\(where_): internal subjects cannot be routed")
                }
                if route.forwardAuthorization != nil { problems.append("\(where_): forward_authorization is for upstream routes") }
            case (nil, let url?):
                switch Upstream.parse(url) {
                case .success(let parsed): upstream = parsed
                case .failure(let problem): problems.append("\(where_): \(problem.message)")
                }
                // The refresh cookie is never passed upstream: a route cannot act on it.
                if route.refreshCookie == true { problems.append("\(where_): refresh_cookie is for routes to subjects") }
            default:
                problems.append("\(where_): name either a subject or an upstream")
            }
            if route.method.methods.isEmpty { problems.append("\(where_): name at least one method") }
            for method in route.method.methods {
                add(
                    where_, method: method.uppercased(), path: route.path, subject: route.subject.map { "\(subjectPrefix).\($0)" } ?? "",
                    access: route.auth, rateLimit: route.rateLimit, timeoutSeconds: route.timeoutSeconds, tier: route.tier,
                    refreshCookie: route.refreshCookie ?? false, upstream: upstream,
                    forwardAuthorization: route.forwardAuthorization ?? false, feature: route.feature, quota: route.quota)
            }
        }
        if file.bodyLimit < 0 { problems.append("body_limit must not be negative") }
        for (name, policy) in file.policies
        where !(1...1_000_000_000).contains(policy.limit) || !(1...31_536_000).contains(policy.windowSeconds) {
            problems.append("policies.\(name): limit 1…1000000000 and window_seconds 1…31536000 (a year)")
        }
        if !problems.isEmpty { throw GatewayConfigError(message: problems.joined(separator: "; ")) }
        self.routes = routes
    }

    static func segments(of path: String) -> [GatewayRoute.Segment] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part == "*" { return .rest }
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
        // `/app/*` takes `/app` itself and everything below it.
        let wildcard = segments.last == .rest
        guard wildcard ? parts.count >= segments.count - 1 : segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .rest:
                return parameters
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
