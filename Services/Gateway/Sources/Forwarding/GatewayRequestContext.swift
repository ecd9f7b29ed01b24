import HTTPTypes
import Hummingbird
import NIOCore
import TollgateContracts

/// Per-request context: what the middleware learnt about the request, for the ones after it.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The request's id (kept from `X-Request-ID` or made), set by `ResponseHeadersMiddleware`.
    public var requestID = ""
    /// The client's address (see `ClientAddress`), set by `ResponseHeadersMiddleware`.
    public var clientAddress = "unknown"
    /// Set by `AuthenticationMiddleware` on signed-in routes.
    public var caller: VerifiedCaller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// A caller whose bearer token the gateway verified, and the token (which services verify again).
public struct VerifiedCaller: Sendable {
    public let claims: AccessTokenClaims
    public let token: String
}
