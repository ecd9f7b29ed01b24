import TollgateMessaging

/// A service's answer as it travels back over NATS: the status and the HTTP headers the gateway
/// passes on go in message headers, the body is the payload.
public struct ReplyEnvelope: Sendable {
    public var status: Int
    /// Only the names in `forwardedHeaders` reach the client.
    public var headers: [(String, String)]

    /// Reply headers the gateway copies onto the HTTP response; any other is dropped.
    public static let forwardedHeaders = [
        "Content-Type", "Set-Cookie", "Location", "Cache-Control", "Retry-After", "WWW-Authenticate",
    ]

    private static let statusHeader = "Tollgate-Status"

    public init(status: Int, headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
    }

    public var natsHeaders: NatsHeaders {
        var encoded = NatsHeaders()
        encoded.add(Self.statusHeader, String(status))
        for (name, value) in headers { encoded.add(name, value) }
        return encoded
    }

    /// The answer in a reply, or nil when the reply carries no valid status (not from a service).
    public init?(natsHeaders: NatsHeaders) {
        guard let status = natsHeaders[Self.statusHeader].flatMap(Int.init), (100...599).contains(status) else {
            return nil
        }
        var headers: [(String, String)] = []
        for name in Self.forwardedHeaders {
            for value in natsHeaders.values(name) { headers.append((name, value)) }
        }
        self.init(status: status, headers: headers)
    }
}
