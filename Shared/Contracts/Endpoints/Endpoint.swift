/// One HTTP endpoint of a Tollgate service, declared once beside the service's other endpoints
/// (`AuthEndpoints`, `BillingEndpoints`): the gateway builds its routes from these declarations and
/// the service binds its handlers to them, so the two cannot disagree.
public struct Endpoint: Sendable, Hashable {
    /// Who may call the endpoint. The gateway checks it first and the service checks it again.
    public enum Access: String, Sendable, Hashable {
        case `public`, user, admin
    }

    public let method: String
    /// `/users/{user_id}`: literal segments and named parameters.
    public let path: String
    /// The NATS subject relative to the prefix (`auth.login`).
    public let subject: String
    public let access: Access
    /// The gateway's rate-limit policy, named in `gateway-config/gateway.yaml` (which sets its numbers).
    public let rateLimit: String
    /// Acts on the refresh cookie: the gateway refuses cross-site requests to it.
    public let refreshCookie: Bool
    /// The lowest plan tier that may call it (signed-in endpoints only); nil: any. gateway.yaml may override it.
    public let tier: Int?
    /// How long the gateway waits for the answer; nil: gateway.yaml's `request_timeout_seconds`,
    /// which may also override it per route.
    public let timeoutSeconds: Double?
    /// One line for the API document.
    public let summary: String

    public init(
        _ method: String, _ path: String, subject: String, access: Access, rateLimit: String,
        refreshCookie: Bool = false, tier: Int? = nil, timeoutSeconds: Double? = nil, summary: String
    ) {
        self.tier = tier
        self.timeoutSeconds = timeoutSeconds
        self.method = method
        self.path = path
        self.subject = subject
        self.access = access
        self.rateLimit = rateLimit
        self.refreshCookie = refreshCookie
        self.summary = summary
    }

    /// Every endpoint the services answer, in the order the API document lists them.
    public static let all: [Endpoint] = AuthEndpoints.all + BillingEndpoints.all
}
