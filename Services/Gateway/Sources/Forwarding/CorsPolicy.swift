import HTTPTypes
import Hummingbird

/// Which browser origins may call the gateway, and the headers that tell them so.
public struct CorsPolicy: Sendable {
    let origins: Set<String>

    public init(origins: [String]) {
        self.origins = Set(origins)
    }

    func allows(_ origin: String?) -> Bool {
        guard let origin else { return false }
        return origins.contains(origin)
    }

    func apply(to headers: inout HTTPFields, origin: String?) {
        guard let origin, allows(origin) else { return }
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowCredentials] = "true"
        headers[.accessControlExposeHeaders] =
            "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy"
        headers[.vary] = "Origin"
    }

    func preflight(origin: String?, allowedMethods: [String]) -> Response {
        var headers = HTTPFields()
        if allows(origin) {
            apply(to: &headers, origin: origin)
            headers[.accessControlAllowMethods] = (allowedMethods + ["OPTIONS"]).joined(separator: ", ")
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type, X-Request-ID"
            headers[.accessControlMaxAge] = "600"
        }
        return Response(status: .noContent, headers: headers)
    }
}
