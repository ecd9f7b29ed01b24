import CNats
import Foundation
import Logging
import Synchronization

/// A connection to NATS through libnats: reconnects forever with jitter, sends without waiting for
/// the flusher, and offers publish, subscribe and non-blocking request/reply.
public final class NatsConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let replies: ReplyInbox
    private let events: ConnectionEvents
    public let logger: Logger

    private init(handle: OpaquePointer, events: ConnectionEvents, inboxPrefix: String, logger: Logger) throws(NatsError) {
        self.handle = handle
        self.events = events
        self.logger = logger
        self.replies = try ReplyInbox(connection: handle, inboxPrefix: inboxPrefix)
    }

    /// Connects, waiting as long as it takes for the server to come up (retrying with jitter), but
    /// failing at once when the server refuses the credentials or the TLS set-up: that is a
    /// configuration mistake, and waiting would only hide it.
    public static func connect(_ options: NatsClientOptions, logger: Logger) async throws -> NatsConnection {
        var attempts = 0
        while true {
            attempts += 1
            switch try await attempt(options, logger: logger) {
            case .connected(let connection):
                return connection
            case .serverUnavailable(let error) where error.message.contains(zeroLeadingSignature):
                continue
            case .serverUnavailable(let error):
                if attempts == 1 || attempts % 20 == 0 {
                    logger.warning(
                        "waiting for NATS", metadata: ["url": "\(options.url)", "attempts": "\(attempts)", "error": "\(error)"])
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 250...750)))
            }
        }
    }

    private enum Attempt {
        case connected(NatsConnection)
        case serverUnavailable(NatsError)
    }

    private static func attempt(_ options: NatsClientOptions, logger: Logger) async throws -> Attempt {
        let events = ConnectionEvents(logger: logger, credentials: options.credentials)
        let registration = CallbackRegistry.shared.register(events)
        let outcome: Result<UnsafeSendableHandle, NatsError>
        do {
            outcome = try await connectOnce(options, registration: registration)
        } catch {
            CallbackRegistry.shared.forget(registration)
            throw error
        }
        switch outcome {
        case .success(let handle):
            do {
                return .connected(
                    try NatsConnection(
                        handle: handle.pointer, events: events, inboxPrefix: options.inboxPrefix, logger: logger))
            } catch {
                natsConnection_Destroy(handle.pointer)
                throw error
            }
        case .failure(let error):
            CallbackRegistry.shared.forget(registration)
            return .serverUnavailable(error)
        }
    }

    /// One connection attempt on a Dispatch thread (libnats' connect blocks): connected, or the
    /// server cannot be reached (try again), or a refusal that waiting will not cure (thrown).
    private static func connectOnce(_ options: NatsClientOptions, registration: CallbackRegistry.Registration)
        async throws(NatsError) -> Result<UnsafeSendableHandle, NatsError>
    {
        try await BlockingCalls.run { () throws(NatsError) -> Result<UnsafeSendableHandle, NatsError> in
            var handle: OpaquePointer? = nil
            try NatsError.check(natsOptions_Create(&handle), "create options")
            guard let natsOptions = handle else { throw NatsError(.other, "libnats returned no options") }
            defer { natsOptions_Destroy(natsOptions) }
            try setServers(options.servers, on: natsOptions)
            natsOptions_SetName(natsOptions, options.name)
            natsOptions_SetMaxReconnect(natsOptions, -1)
            natsOptions_SetReconnectWait(natsOptions, 250)
            natsOptions_SetReconnectJitter(natsOptions, 250, 1000)
            // Without SendAsap every request waits about 1 ms for libnats' flusher thread.
            natsOptions_SetSendAsap(natsOptions, true)
            // Requests and publishes made while disconnected are held up to this many bytes.
            natsOptions_SetReconnectBufSize(natsOptions, 8 * 1024 * 1024)
            try NatsError.check(
                natsOptions_SetCustomInboxPrefix(natsOptions, options.inboxPrefix), "set inbox prefix \(options.inboxPrefix)")
            try NatsError.check(
                natsOptions_SetNKey(natsOptions, options.credentials.publicKey, signNonce, registration.closure),
                "set nkey")
            if options.wantsTLS || options.caFile != nil {
                try NatsError.check(natsOptions_SetSecure(natsOptions, true), "enable TLS")
            }
            if let caFile = options.caFile {
                try NatsError.check(
                    natsOptions_LoadCATrustedCertificates(natsOptions, caFile), "load certificate authorities from \(caFile)")
            }
            // libnats calls these on its own threads, possibly after this object is gone: they find
            // the events through the registry, which forgets them when the connection closes.
            natsOptions_SetDisconnectedCB(natsOptions, disconnectedCallback, registration.closure)
            natsOptions_SetReconnectedCB(natsOptions, reconnectedCallback, registration.closure)
            natsOptions_SetClosedCB(natsOptions, closedCallback, registration.closure)
            natsOptions_SetErrorHandler(natsOptions, asyncErrorCallback, registration.closure)
            var connection: OpaquePointer? = nil
            let status = natsConnection_Connect(&connection, natsOptions)
            if status == NATS_OK, let connection { return .success(UnsafeSendableHandle(connection)) }
            let error = NatsError.connectFailure(status, url: options.url, credentials: options.credentials)
            if error.message.contains(zeroLeadingSignature) { return .failure(error) }
            switch status {
            case NATS_NO_SERVER, NATS_TIMEOUT, NATS_IO_ERROR, NATS_STALE_CONNECTION, NATS_CONNECTION_CLOSED:
                return .failure(error)
            default:
                throw error
            }
        }
    }

    /// The server's latest refusal of something this connection sent (a permissions violation),
    /// as libnats reported it; nil when there was none.
    public var lastRefusal: String? {
        events.lastRefusal.withLock { $0 }
    }

    /// The server this connection is on now (`nats://host:port`), nil while disconnected.
    public var connectedURL: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard natsConnection_GetConnectedUrl(handle, &buffer, buffer.count) == NATS_OK else { return nil }
        let url = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return url.isEmpty ? nil : url
    }

    public var isConnected: Bool {
        natsConnection_Status(handle) == NATS_CONN_STATUS_CONNECTED
    }

    public func publish(
        _ subject: String, payload: Data = Data(), headers: NatsHeaders = NatsHeaders(), replyTo: String? = nil
    ) throws(NatsError) {
        let msg = try NatsMessage.makeCMessage(subject: subject, replyTo: replyTo, headers: headers, payload: payload)
        defer { natsMsg_Destroy(msg) }
        try NatsError.check(natsConnection_PublishMsg(handle, msg), "publish to \(subject)")
    }

    /// Sends a request and waits for its reply without blocking a thread.
    /// Throws `NatsError.noResponders` when nobody listens and `NatsError.timeout` after `timeout`.
    public func request(
        _ subject: String, payload: Data = Data(), headers: NatsHeaders = NatsHeaders(), timeout: Duration
    ) async throws -> NatsMessage {
        try await replies.request(
            connection: handle, subject: subject, headers: headers, payload: payload, timeout: timeout)
    }

    public func subscribe(_ subject: String) throws(NatsError) -> NatsSubscription {
        try NatsSubscription(connection: handle, subject: subject, queueGroup: nil)
    }

    /// Every message goes to one member of the queue group: how copies of a service share work.
    public func subscribe(_ subject: String, queueGroup: String) throws(NatsError) -> NatsSubscription {
        try NatsSubscription(connection: handle, subject: subject, queueGroup: queueGroup)
    }

    /// Waits until the server has processed everything sent so far.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        let handle = UnsafeSendableHandle(self.handle)
        let milliseconds = timeout.milliseconds
        try await BlockingCalls.run { () throws(NatsError) in
            try NatsError.check(natsConnection_FlushTimeout(handle.pointer, milliseconds), "flush")
        }
    }

    /// Finishes in-flight subscriptions and publishes, then closes; at once when the server is
    /// gone (there is nothing to drain through, and libnats would wait out the timeout: with
    /// Ctrl-C stopping NATS and the services together, that kept a service past the launcher's grace).
    public func drain(timeout: Duration = .seconds(5)) async {
        events.closing.store(true, ordering: .relaxed)
        let handle = UnsafeSendableHandle(self.handle)
        let milliseconds = timeout.milliseconds
        let connected = isConnected
        _ = try? await BlockingCalls.run { () throws(NatsError) in
            if connected && natsConnection_DrainTimeout(handle.pointer, milliseconds) == NATS_OK {
                // Drain is asynchronous; wait (bounded) until the connection reports closed.
                let deadline = ContinuousClock.now + .milliseconds(milliseconds)
                while natsConnection_Status(handle.pointer) != NATS_CONN_STATUS_CLOSED && ContinuousClock.now < deadline {
                    nats_Sleep(10)
                }
            }
            natsConnection_Close(handle.pointer)
        }
        replies.failAll(NatsError(.closed, "connection drained"))
    }

    /// A JetStream context on this connection.
    public func jetStream(timeout: Duration = .seconds(5)) throws(NatsError) -> JetStream {
        try JetStream(connection: self, timeout: timeout)
    }

    deinit {
        events.closing.store(true, ordering: .relaxed)
        natsConnection_Close(handle)
        replies.failAll(NatsError(.closed, "connection closed"))
        natsConnection_Destroy(handle)
    }
}

/// Every server of the list: libnats connects to one and, when it goes away, to another
/// (`natsOptions_SetURL` given a comma-separated list did not fail over in our trials).
private func setServers(_ servers: [String], on options: OpaquePointer) throws(NatsError) {
    let copies = servers.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    let status = pointers.withUnsafeMutableBufferPointer { buffer in
        natsOptions_SetServers(options, buffer.baseAddress, Int32(buffer.count))
    }
    try NatsError.check(status, "set servers \(servers.joined(separator: ","))")
}

/// A libnats pointer moved across a concurrency boundary; libnats objects are thread-safe.
struct UnsafeSendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
    /// Whole nanoseconds (the gateway's upstream deadlines use it too).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

final class ConnectionEvents: Sendable {
    let logger: Logger
    let credentials: NatsCredentials
    /// Set when this side closes: libnats reports that as a disconnection too, which is no news.
    let closing = Atomic<Bool>(false)
    /// The server's latest refusal of something this connection did (a permissions violation).
    let lastRefusal = Mutex<String?>(nil)

    init(logger: Logger, credentials: NatsCredentials) {
        self.logger = logger
        self.credentials = credentials
    }
}

private func events(_ closure: UnsafeMutableRawPointer?) -> ConnectionEvents? {
    CallbackRegistry.shared.events(closure)
}

private func disconnectedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let events = events(closure) else { return }
    if !events.closing.load(ordering: .relaxed) { events.logger.warning("disconnected from NATS") }
}

private func closedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    CallbackRegistry.shared.forget(closure)
}

private func reconnectedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    events(closure)?.logger.info("reconnected to NATS")
}

/// Asynchronous errors: above all the server refusing a publish or a subscription this identity
/// has no permission for. Loud, because it means a bug or an attack, never normal operation.
private func asyncErrorCallback(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ status: natsStatus, _ closure: UnsafeMutableRawPointer?
) {
    guard let events = events(closure) else { return }
    var text: UnsafePointer<CChar>? = nil
    if let connection { _ = natsConnection_GetLastError(connection, &text) }
    let last = text.map { String(cString: $0) } ?? ""
    let detail = last.isEmpty ? String(cString: natsStatus_GetText(status)) : last
    guard status == NATS_NOT_PERMITTED || detail.contains("Permissions Violation") else {
        events.logger.warning("NATS reported an error", metadata: ["error": "\(detail)"])
        return
    }
    events.lastRefusal.withLock { $0 = detail }
    events.logger.error("NATS refused an operation", metadata: ["error": "\(detail)"])
}

/// Signs the server's nonce with the identity's seed (libnats frees the signature it is given).
private func signNonce(
    _ customError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ signature: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ signatureLength: UnsafeMutablePointer<Int32>?,
    _ nonce: UnsafePointer<CChar>?,
    _ closure: UnsafeMutableRawPointer?
) -> natsStatus {
    guard let events = events(closure), let nonce else { return NATS_ERR }
    return natsSign(
        seed: events.credentials.seed, nonce: nonce, signature: signature, length: signatureLength, customError: customError)
}

/// libnats 3.4 sends a signature that starts with a zero byte as if it were empty (it measures it
/// as a C string), so about one connect in 256 was refused as an authentication error. Such a
/// signature is not sent: the attempt fails with this text and is made again at once, with a new
/// nonce and so a new signature.
let zeroLeadingSignature = "tollgate: signature starts with a zero byte; connecting again"

private func natsSign(
    seed: String, nonce: UnsafePointer<CChar>, signature: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    length: UnsafeMutablePointer<Int32>?, customError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> natsStatus {
    let status = nats_Sign(seed, nonce, signature, length)
    guard status == NATS_OK, let signature, let bytes = signature.pointee, bytes.pointee == 0 else { return status }
    free(bytes)
    signature.pointee = nil
    customError?.pointee = strdup(zeroLeadingSignature)
    return NATS_ERR
}
