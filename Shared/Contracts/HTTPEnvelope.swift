/// NATS header names of the "HTTP over NATS" envelope: the gateway puts the request's metadata in
/// these headers and the raw body in the payload; the reply comes back the same way.
public enum EnvelopeHeader {
    // Request metadata, set by the gateway.
    public static let method = "Tollgate-Method"
    public static let path = "Tollgate-Path"
    /// Path parameters as a JSON object.
    public static let pathParameters = "Tollgate-Path-Params"
    public static let query = "Tollgate-Query"
    public static let clientIP = "Tollgate-Client-IP"
    public static let requestID = "Tollgate-Request-ID"
    public static let traceParent = "traceparent"
    public static let cookie = "Tollgate-Cookie"
    public static let userAgent = "Tollgate-User-Agent"
    public static let contentType = "Content-Type"
    /// The access token the gateway verified, on signed-in routes only. Services verify it again
    /// rather than take the gateway's word: a stolen gateway credential alone cannot act as a user.
    public static let accessToken = "Tollgate-Access-Token"

    // Reply metadata, set by the service.
    public static let status = "Tollgate-Status"

    /// Reply headers the gateway copies onto the HTTP response.
    public static let forwardedReplyHeaders = [
        "Content-Type", "Set-Cookie", "Location", "Cache-Control", "Retry-After", "WWW-Authenticate",
    ]
}
