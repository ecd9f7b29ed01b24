import HTTPTypes

/// The headers every public answer carries (gateway and Webhook), so that a browser never sniffs
/// a JSON answer into something else, never sends our URLs (which may hold a token) as a referrer,
/// and never keeps an answer that may hold a token, a code or account data.
public struct SecurityHeaders: Sendable {
    /// `Strict-Transport-Security` is sent only when the public URL is https: over plain HTTP it
    /// would be ignored, and on a development machine it would pin localhost to https.
    public let strictTransportSecurity: Bool

    public init(publicURL: String) {
        strictTransportSecurity = publicURL.lowercased().hasPrefix("https://")
    }

    public static let jsonContentType = "application/json; charset=utf-8"

    public func apply(to headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[Self.referrerPolicy] = "no-referrer"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if let type = headers[.contentType], type.lowercased() == "application/json" {
            headers[.contentType] = Self.jsonContentType
        }
        if strictTransportSecurity { headers[.strictTransportSecurity] = "max-age=63072000; includeSubDomains" }
    }

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
