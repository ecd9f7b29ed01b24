import Foundation

/// Routes that act on the refresh cookie (`refresh_cookie: true`) must not be reachable from
/// another site: the browser attaches the cookie to a cross-site form post as well. A request
/// gets through with an `Origin` the deployment trusts (the CORS list or the public URL), or with
/// no `Origin` at all and `Content-Type: application/json`, which no cross-site form can send
/// without a CORS preflight.
struct RefreshCookieGuard: Sendable {
    let cors: CorsPolicy
    /// `scheme://host[:port]` of `TOLLGATE_PUBLIC_URL`.
    let publicOrigin: String?

    init(cors: CorsPolicy, publicURL: String) {
        self.cors = cors
        publicOrigin = Self.origin(of: publicURL)
    }

    func allows(origin: String?, contentType: String?) -> Bool {
        if let origin { return cors.allows(origin) || origin == publicOrigin }
        return contentType.map(JSONContentType.isJSON) ?? false
    }

    /// The serialised origin of a URL, as a browser sends it in `Origin` (default ports left out).
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}
