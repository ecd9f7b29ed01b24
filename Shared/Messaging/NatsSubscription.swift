import CNats

/// A core NATS subscription delivered as an `AsyncSequence`.
///
/// The libnats callback copies each message into Swift memory, destroys the C message at once (so
/// every `natsMsg` is destroyed exactly once, on the libnats thread) and yields without blocking.
public final class NatsSubscription: AsyncSequence, @unchecked Sendable {
    public typealias Element = NatsMessage

    let handle: OpaquePointer
    private let stream: AsyncStream<NatsMessage>

    init(connection: OpaquePointer, subject: String, queueGroup: String?) throws(NatsError) {
        let (stream, continuation) = AsyncStream<NatsMessage>.makeStream()
        let sink = Unmanaged.passRetained(SubscriptionSink(continuation)).toOpaque()
        var sub: OpaquePointer? = nil
        let status: natsStatus
        if let queueGroup {
            status = natsConnection_QueueSubscribe(&sub, connection, subject, queueGroup, subscriptionCallback, sink)
        } else {
            status = natsConnection_Subscribe(&sub, connection, subject, subscriptionCallback, sink)
        }
        guard status == NATS_OK, let sub else {
            Unmanaged<SubscriptionSink>.fromOpaque(sink).release()
            throw NatsError.from(status, "subscribe to \(subject)")
        }
        // Released only once libnats promises the callback will not run again.
        natsSubscription_SetOnCompleteCB(sub, subscriptionCompleted, sink)
        // The defaults (65,536 messages) would drop messages silently under load; the Swift side bounds work.
        natsSubscription_SetPendingLimits(sub, -1, -1)
        self.handle = sub
        self.stream = stream
    }

    public func makeAsyncIterator() -> AsyncStream<NatsMessage>.Iterator {
        stream.makeAsyncIterator()
    }

    /// Stops delivery now; messages already handed to Swift stay in the sequence.
    public func unsubscribe() {
        natsSubscription_Unsubscribe(handle)
    }

    /// How long a drain may take before the subscription is closed anyway. libnats' default (30 s)
    /// held a service's shutdown that long when the server had gone first (Ctrl-C stops every
    /// process of `make run` at once), past the launcher's 10 s; connected, a drain takes a round trip.
    public static let drainTimeout: Duration = .seconds(5)

    /// Stops taking new messages but delivers the ones in flight, then ends the sequence: at once
    /// when the server confirms, after `drainTimeout` at the latest.
    public func drain() {
        natsSubscription_DrainTimeout(handle, Int64(Self.drainTimeout.components.seconds * 1000))
    }

    deinit {
        natsSubscription_Unsubscribe(handle)
        natsSubscription_Destroy(handle)
    }
}

final class SubscriptionSink: @unchecked Sendable {
    let continuation: AsyncStream<NatsMessage>.Continuation
    init(_ continuation: AsyncStream<NatsMessage>.Continuation) { self.continuation = continuation }
}

private func subscriptionCallback(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ msg: OpaquePointer?, _ closure: UnsafeMutableRawPointer?
) {
    guard let msg else { return }
    defer { natsMsg_Destroy(msg) }
    guard let closure else { return }
    let sink = Unmanaged<SubscriptionSink>.fromOpaque(closure).takeUnretainedValue()
    sink.continuation.yield(NatsMessage(copying: msg))
}

private func subscriptionCompleted(_ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let sink = Unmanaged<SubscriptionSink>.fromOpaque(closure).takeRetainedValue()
    sink.continuation.finish()
}
