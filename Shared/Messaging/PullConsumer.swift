import CNats
import Foundation
import Synchronization

public struct PullConsumerSettings: Sendable {
    public var stream: String
    public var durableName: String
    public var filterSubject: String
    /// After this many deliveries JetStream stops redelivering the message.
    public var maxDeliver: Int
    /// How long a delivered message may stay unacknowledged before JetStream redelivers it.
    public var ackWait: Duration
    /// How many messages this process holds unacknowledged at once.
    public var maxInFlight: Int

    public init(
        stream: String, durableName: String, filterSubject: String, maxDeliver: Int = 10,
        ackWait: Duration = .seconds(30), maxInFlight: Int = 16
    ) {
        self.stream = stream
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.maxDeliver = maxDeliver
        self.ackWait = ackWait
        self.maxInFlight = maxInFlight
    }
}

/// A durable pull consumer. A dedicated thread fetches (libnats' fetch blocks) only while fewer than
/// `maxInFlight` messages are held, so a slow handler slows fetching instead of growing memory.
public final class PullConsumer: AsyncSequence, @unchecked Sendable {
    public typealias Element = JetStreamMessage

    private let subscription: OpaquePointer
    private let jetStream: JetStream
    private let stream: AsyncStream<JetStreamMessage>
    private let continuation: AsyncStream<JetStreamMessage>.Continuation
    private let slots: DispatchSemaphore
    private let maxInFlight: Int
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    private init(subscription: OpaquePointer, jetStream: JetStream, maxInFlight: Int) {
        self.subscription = subscription
        self.jetStream = jetStream
        self.maxInFlight = maxInFlight
        // Created empty and filled: libdispatch traps when a semaphore is freed below its initial value,
        // which would happen whenever messages are still held at shutdown.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<maxInFlight { slots.signal() }
        (stream, continuation) = AsyncStream<JetStreamMessage>.makeStream()
    }

    static func open(jetStream: JetStream, settings: PullConsumerSettings) async throws(NatsError) -> PullConsumer {
        let context = UnsafeSendableHandle(jetStream.context)
        let subscription = try await BlockingCalls.run { () throws(NatsError) -> UnsafeSendableHandle in
            var options = jsSubOptions()
            jsSubOptions_Init(&options)
            var sub: OpaquePointer? = nil
            var errorCode = jsErrCode(0)
            let status = settings.stream.withCString { streamName in
                settings.filterSubject.withCString { filter in
                    options.Stream = streamName
                    options.Config.AckPolicy = js_AckExplicit
                    options.Config.AckWait = settings.ackWait.nanoseconds
                    options.Config.MaxDeliver = Int64(settings.maxDeliver)
                    options.Config.MaxAckPending = Int64(Swift.max(settings.maxInFlight * 4, 64))
                    options.Config.FilterSubject = filter
                    return js_PullSubscribe(
                        &sub, context.pointer, settings.filterSubject, settings.durableName, nil, &options, &errorCode)
                }
            }
            try NatsError.check(status, "pull-subscribe \(settings.durableName)", jsErrorCode: errorCode)
            guard let sub else { throw NatsError(.jetStream, "libnats returned no subscription") }
            return UnsafeSendableHandle(sub)
        }
        let consumer = PullConsumer(
            subscription: subscription.pointer, jetStream: jetStream, maxInFlight: Swift.max(settings.maxInFlight, 1))
        consumer.startFetching()
        return consumer
    }

    public func makeAsyncIterator() -> AsyncStream<JetStreamMessage>.Iterator {
        stream.makeAsyncIterator()
    }

    private func startFetching() {
        let thread = Thread { [self] in fetchLoop() }
        thread.name = "tollgate.pull-consumer"
        thread.start()
    }

    private func fetchLoop() {
        defer {
            continuation.finish()
            finished.signal()
        }
        while !stopped.load(ordering: .relaxed) {
            // Wait for a free slot, waking up now and then to notice a stop.
            guard slots.wait(timeout: .now() + .milliseconds(250)) == .success else { continue }
            var free = 1
            while free < maxInFlight && slots.wait(timeout: .now()) == .success { free += 1 }
            var list = natsMsgList()
            var errorCode = jsErrCode(0)
            let status = natsSubscription_Fetch(&list, subscription, Int32(free), 500, &errorCode)
            var delivered = 0
            if status == NATS_OK, let messages = list.Msgs {
                for index in 0..<Int(list.Count) {
                    guard let msg = messages[index] else { continue }
                    // Ownership moves to the JetStreamMessage; the list must not destroy it too.
                    messages[index] = nil
                    continuation.yield(JetStreamMessage(taking: msg, release: slots))
                    delivered += 1
                }
            }
            natsMsgList_Destroy(&list)
            for _ in delivered..<free { slots.signal() }
            if status != NATS_OK && status != NATS_TIMEOUT {
                // Disconnected or the server is restarting: back off briefly, libnats reconnects.
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    /// Stops fetching; messages already delivered can still be acknowledged until they are released.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        let finished = self.finished
        let subscription = UnsafeSendableHandle(self.subscription)
        let slots = self.slots
        let maxInFlight = self.maxInFlight
        _ = try? await BlockingCalls.run { () throws(NatsError) in
            finished.wait()
            // Wait (bounded) for held messages to be acknowledged before the subscription goes away.
            for _ in 0..<maxInFlight { _ = slots.wait(timeout: .now() + .seconds(10)) }
            natsSubscription_Unsubscribe(subscription.pointer)
            natsSubscription_Destroy(subscription.pointer)
        }
    }
}

/// A message from a pull consumer. Exactly one of ack, nak or term takes effect; the libnats message
/// is destroyed exactly once, by whichever comes first of those or `deinit`.
public final class JetStreamMessage: @unchecked Sendable {
    public let message: NatsMessage
    /// How many times JetStream has delivered this message (1 on the first delivery).
    public let deliveryCount: Int
    public let streamSequence: UInt64
    private let handle: Mutex<UnsafeSendableHandle?>
    private let release: DispatchSemaphore

    init(taking msg: OpaquePointer, release: DispatchSemaphore) {
        message = NatsMessage(copying: msg)
        var meta: UnsafeMutablePointer<jsMsgMetaData>? = nil
        if natsMsg_GetMetaData(&meta, msg) == NATS_OK, let meta {
            deliveryCount = Int(meta.pointee.NumDelivered)
            streamSequence = meta.pointee.Sequence.Stream
            jsMsgMetaData_Destroy(meta)
        } else {
            deliveryCount = 1
            streamSequence = 0
        }
        handle = Mutex(UnsafeSendableHandle(msg))
        self.release = release
    }

    public var subject: String { message.subject }
    public var payload: Data { message.payload }
    public var headers: NatsHeaders { message.headers }

    /// Done: JetStream will not deliver it again.
    public func ack() throws(NatsError) {
        try settle("ack") { natsMsg_Ack($0, nil) }
    }

    /// Not now: JetStream redelivers it after `delay`.
    public func nak(delay: Duration) throws(NatsError) {
        try settle("nak") { natsMsg_NakWithDelay($0, delay.milliseconds, nil) }
    }

    /// Never: JetStream stops delivering it.
    public func term() throws(NatsError) {
        try settle("term") { natsMsg_Term($0, nil) }
    }

    private func settle(_ what: String, _ action: (OpaquePointer) -> natsStatus) throws(NatsError) {
        guard let msg = handle.withLock({ value -> OpaquePointer? in
            defer { value = nil }
            return value?.pointer
        }) else {
            throw NatsError(.invalidArgument, "message was already settled")
        }
        let status = action(msg)
        natsMsg_Destroy(msg)
        release.signal()
        try NatsError.check(status, what)
    }

    deinit {
        if let msg = handle.withLock({ $0 }) {
            natsMsg_Destroy(msg.pointer)
            release.signal()
        }
    }
}
