import CNats

/// An error reported by libnats or by the messaging layer, with a stable code and a message.
public struct NatsError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        case connectionFailed
        /// The server refused the connection's credentials.
        case authentication
        /// TLS could not be set up (no TLS on the server, an untrusted certificate, a bad CA file).
        case tls
        case noResponders
        case timeout
        case notFound
        case jetStream
        case closed
        case invalidArgument
        case other
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static let noResponders = NatsError(.noResponders, "no service is listening on the subject")

    /// An error that passes by itself: nobody answered yet, the connection is moving to another
    /// server, or JetStream says it is temporarily unavailable (a stream or the cluster electing a
    /// leader). Worth trying again; anything else is a refusal that will not change.
    public var isTransient: Bool {
        code == .timeout || code == .noResponders || code == .connectionFailed
            || message.contains("[jetstream error 10008]")
    }
    public static let timeout = NatsError(.timeout, "the request timed out")

    /// Turns a libnats status into an error, or nothing for `NATS_OK`.
    static func check(_ status: natsStatus, _ what: @autoclosure () -> String, jsErrorCode: jsErrCode = jsErrCode(0))
        throws(NatsError)
    {
        guard status != NATS_OK else { return }
        throw NatsError.from(status, what(), jsErrorCode: jsErrorCode)
    }

    /// Why a connection attempt failed, naming the server and the key (never the seed).
    static func connectFailure(_ status: natsStatus, url: String, credentials: NatsCredentials) -> NatsError {
        let base = from(status, "connect to \(url)")
        let text = base.message.lowercased()
        if status == NATS_CONNECTION_AUTH_FAILED || status == NATS_NOT_PERMITTED || text.contains("authorization") {
            return NatsError(.authentication, "\(url) refused the credentials of \(credentials): \(base.message)")
        }
        if status == NATS_SSL_ERROR || status == NATS_SECURE_CONNECTION_WANTED || status == NATS_SECURE_CONNECTION_REQUIRED {
            return NatsError(.tls, "TLS with \(url) failed: \(base.message)")
        }
        return base
    }

    static func from(_ status: natsStatus, _ what: String, jsErrorCode: jsErrCode = jsErrCode(0)) -> NatsError {
        let text = String(cString: natsStatus_GetText(status))
        var detail = "\(what): \(text)"
        if let last = nats_GetLastError(nil) {
            let lastText = String(cString: last)
            if !lastText.isEmpty && lastText != text { detail += " (\(lastText))" }
        }
        if jsErrorCode.rawValue != 0 { detail += " [jetstream error \(jsErrorCode.rawValue)]" }
        let code: Code
        switch status {
        case NATS_TIMEOUT: code = .timeout
        case NATS_NO_RESPONDERS: code = .noResponders
        case NATS_NOT_FOUND: code = .notFound
        case NATS_CONNECTION_CLOSED: code = .closed
        case NATS_INVALID_ARG: code = .invalidArgument
        case NATS_NO_SERVER, NATS_NOT_YET_CONNECTED, NATS_CONNECTION_DISCONNECTED: code = .connectionFailed
        default: code = jsErrorCode.rawValue != 0 ? .jetStream : .other
        }
        return NatsError(code, detail)
    }
}
