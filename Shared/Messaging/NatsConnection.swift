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

    private init(handle: OpaquePointer, events: ConnectionEvents, logger: Logger) throws(NatsError) {
        self.handle = handle
        self.events = events
        self.logger = logger
        self.replies = try ReplyInbox(connection: handle)
    }

    /// Connects, waiting as long as it takes for the server to come up (retrying with jitter).
    public static func connect(url: String, name: String, logger: Logger) async throws -> NatsConnection {
        let events = ConnectionEvents(logger: logger)
        let handle = try await BlockingCalls.run { () throws(NatsError) -> UnsafeSendableHandle in
            var options: OpaquePointer? = nil
            try NatsError.check(natsOptions_Create(&options), "create options")
            defer { natsOptions_Destroy(options) }
            try NatsError.check(natsOptions_SetURL(options, url), "set url \(url)")
            natsOptions_SetName(options, name)
            natsOptions_SetMaxReconnect(options, -1)
            natsOptions_SetReconnectWait(options, 250)
            natsOptions_SetReconnectJitter(options, 250, 1000)
            // Without SendAsap every request waits about 1 ms for libnats' flusher thread.
            natsOptions_SetSendAsap(options, true)
            natsOptions_SetRetryOnFailedConnect(options, true, nil, nil)
            // Requests and publishes made while disconnected are held up to this many bytes.
            natsOptions_SetReconnectBufSize(options, 8 * 1024 * 1024)
            // libnats calls these on its own thread, possibly after this object is gone: the events box
            // is retained here and released by the closed callback, which libnats calls last.
            let closure = Unmanaged.passRetained(events).toOpaque()
            natsOptions_SetDisconnectedCB(options, disconnectedCallback, closure)
            natsOptions_SetReconnectedCB(options, reconnectedCallback, closure)
            natsOptions_SetClosedCB(options, closedCallback, closure)
            var connection: OpaquePointer? = nil
            try NatsError.check(natsConnection_Connect(&connection, options), "connect to \(url)")
            guard let connection else { throw NatsError(.connectionFailed, "libnats returned no connection") }
            return UnsafeSendableHandle(connection)
        }
        do {
            return try NatsConnection(handle: handle.pointer, events: events, logger: logger)
        } catch {
            natsConnection_Destroy(handle.pointer)
            throw error
        }
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

    /// Finishes in-flight subscriptions and publishes, then closes.
    public func drain(timeout: Duration = .seconds(5)) async {
        events.closing.store(true, ordering: .relaxed)
        let handle = UnsafeSendableHandle(self.handle)
        let milliseconds = timeout.milliseconds
        _ = try? await BlockingCalls.run { () throws(NatsError) in
            if natsConnection_DrainTimeout(handle.pointer, milliseconds) == NATS_OK {
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
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

final class ConnectionEvents: Sendable {
    let logger: Logger
    /// Set when this side closes: libnats reports that as a disconnection too, which is no news.
    let closing = Atomic<Bool>(false)
    init(logger: Logger) { self.logger = logger }
}

private func disconnectedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let events = Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue()
    if !events.closing.load(ordering: .relaxed) { events.logger.warning("disconnected from NATS") }
}

private func closedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    Unmanaged<ConnectionEvents>.fromOpaque(closure).release()
}

private func reconnectedCallback(_ connection: OpaquePointer?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue().logger.info("reconnected to NATS")
}
