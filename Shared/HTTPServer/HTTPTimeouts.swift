import TollgateConfig

/// How long a client may take, on every public HTTP listener (gateway and Webhook): a slow or idle
/// client holds a connection and its memory, so each phase of a connection has a deadline.
public struct HTTPTimeouts: Sendable, Equatable {
    /// From the connection's start, or the first byte of a later request, to the end of its headers.
    public var headerRead: Duration
    /// From the end of the headers to the end of the body, however steadily the bytes trickle in.
    public var bodyRead: Duration
    /// Between the end of one answer and the first byte of the next request.
    public var keepAliveIdle: Duration

    public init(headerRead: Duration = .seconds(10), bodyRead: Duration = .seconds(30), keepAliveIdle: Duration = .seconds(60)) {
        self.headerRead = headerRead
        self.bodyRead = bodyRead
        self.keepAliveIdle = keepAliveIdle
    }

    /// `TOLLGATE_HTTP_HEADER_TIMEOUT`, `TOLLGATE_HTTP_BODY_TIMEOUT`, `TOLLGATE_HTTP_IDLE_TIMEOUT` (seconds).
    public static func read(_ reader: inout EnvironmentReader) -> HTTPTimeouts {
        HTTPTimeouts(
            headerRead: reader.seconds("TOLLGATE_HTTP_HEADER_TIMEOUT", default: .seconds(10), in: 1...600),
            bodyRead: reader.seconds("TOLLGATE_HTTP_BODY_TIMEOUT", default: .seconds(30), in: 1...3600),
            keepAliveIdle: reader.seconds("TOLLGATE_HTTP_IDLE_TIMEOUT", default: .seconds(60), in: 1...3600))
    }
}
