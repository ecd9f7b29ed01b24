import Foundation

/// An HTTP service a route forwards to: `upstream: http://app:3000` or `https://reports.internal/api`.
public struct Upstream: Sendable, Equatable {
    /// `scheme://host:port`, what the upstream is called in logs and documents.
    public let name: String
    /// `scheme://host:port`, without a path.
    let origin: String
    /// The upstream's path, without a trailing `/` (empty: the request's own path is used).
    let basePath: String

    struct Problem: Error {
        let message: String
    }

    static func parse(_ text: String) -> Result<Upstream, Problem> {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return .failure(Problem(message: "upstream must be an http:// or https:// URL with a host, got \(text)")) }
        guard url.user == nil, url.password == nil, url.query == nil, url.fragment == nil else {
            return .failure(Problem(message: "upstream may not carry a user, a query or a fragment"))
        }
        if let port = url.port, !(1...65535).contains(port) { return .failure(Problem(message: "upstream port must be 1…65535")) }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        // An IPv6 literal comes with its brackets on some platforms and without on others.
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let hostPart = bare.contains(":") ? "[\(bare)]" : bare
        let origin = "\(scheme)://\(hostPart):\(port)"
        var path = url.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        return .success(Upstream(name: origin, origin: origin, basePath: path))
    }

    /// The URL a request is forwarded to. `requestPath` is the client's (still percent-encoded);
    /// `routePrefix` is the route's path before its `/*` (nil on a route without one). With no
    /// path of its own, the upstream gets the request's path; with one, it gets that path, plus
    /// what follows the prefix on a `/*` route.
    func url(requestPath: String, routePrefix: String?, query: String?) -> String {
        var path: String
        if basePath.isEmpty {
            path = requestPath
        } else if let routePrefix {
            path = basePath + requestPath.dropFirst(routePrefix.count)
        } else {
            path = basePath
        }
        if path.isEmpty { path = "/" }
        guard let query, !query.isEmpty else { return origin + path }
        return origin + path + "?" + query
    }
}
