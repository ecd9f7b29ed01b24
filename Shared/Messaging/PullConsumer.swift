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
    /// How long fetches may come back empty before the consumer's state is read to see whether it
    /// is stalled (`DeliveryStallWatch`); a stall is acted on at the second look.
    public var stallPatience: Duration

    public init(
        stream: String, durableName: String, filterSubject: String, maxDeliver: Int = 10,
        ackWait: Duration = .seconds(30), maxInFlight: Int = 16, stallPatience: Duration = .seconds(5)
    ) {
        self.stream = stream
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.maxDeliver = maxDeliver
        self.ackWait = ackWait
        self.maxInFlight = maxInFlight
        self.stallPatience = stallPatience
    }
}

/// A durable pull consumer. A dedicated thread fetches (libnats' fetch blocks) only while fewer than
/// `maxInFlight` messages are held, so a slow handler slows fetching instead of growing memory.
public final class PullConsumer: AsyncSequence, @unchecked Sendable {
    public typealias Element = JetStreamMessage

    private let subscription: OpaquePointer
    private let jetStream: JetStream
    private let settings: PullConsumerSettings
    private let stream: AsyncStream<JetStreamMessage>
    private let continuation: AsyncStream<JetStreamMessage>.Continuation
    private let slots: DispatchSemaphore
    private let maxInFlight: Int
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Fetched but not yet handed to the iterating code: released (nak'd) at once on stop.
    private let buffered = Mutex<[ObjectIdentifier: JetStreamMessage]>([:])

    private init(subscription: OpaquePointer, jetStream: JetStream, settings: PullConsumerSettings) {
        self.subscription = subscription
        self.jetStream = jetStream
        self.settings = settings
        self.maxInFlight = Swift.max(settings.maxInFlight, 1)
        // Created empty and filled: libdispatch traps when a semaphore is freed below its initial value,
        // which would happen whenever messages are still held at shutdown.
        self.slots = DispatchSemaphore(value: 0)
        for _ in 0..<maxInFlight { slots.signal() }
        (stream, continuation) = AsyncStream<JetStreamMessage>.makeStream()
    }

    static func open(jetStream: JetStream, settings: PullConsumerSettings) async throws(NatsError) -> PullConsumer {
        let context = UnsafeSendableHandle(jetStream.context)
        let subscription = try await BlockingCalls.run { () throws(NatsError) -> UnsafeSendableHandle in
            // The durable consumer is created (or updated) here and the subscription only binds to it:
            // libnats deletes a consumer it created itself when the subscription ends, which would
            // make every restart start the stream over.
            let created: Result<Void, NatsError> = settings.durableName.withCString { durable in
                settings.filterSubject.withCString { filter in
                    var config = jsConsumerConfig()
                    jsConsumerConfig_Init(&config)
                    config.Durable = durable
                    config.AckPolicy = js_AckExplicit
                    config.AckWait = settings.ackWait.nanoseconds
                    config.MaxDeliver = Int64(settings.maxDeliver)
                    config.MaxAckPending = Int64(Swift.max(settings.maxInFlight * 4, 64))
                    config.FilterSubject = filter
                    var errorCode = jsErrCode(0)
                    if js_AddConsumer(nil, context.pointer, settings.stream, &config, nil, &errorCode) == NATS_OK {
                        return .success(())
                    }
                    var updateCode = jsErrCode(0)
                    let status = js_UpdateConsumer(nil, context.pointer, settings.stream, &config, nil, &updateCode)
                    guard status == NATS_OK else {
                        return .failure(
                            NatsError.from(status, "create consumer \(settings.durableName)", jsErrorCode: updateCode))
                    }
                    return .success(())
                }
            }
            try created.get()
            var options = jsSubOptions()
            jsSubOptions_Init(&options)
            var sub: OpaquePointer? = nil
            var errorCode = jsErrCode(0)
            let status = settings.stream.withCString { streamName in
                settings.durableName.withCString { durable in
                    options.Stream = streamName
                    options.Consumer = durable
                    options.ManualAck = true
                    return js_PullSubscribe(
                        &sub, context.pointer, settings.filterSubject, settings.durableName, nil, &options, &errorCode)
                }
            }
            try NatsError.check(status, "pull-subscribe \(settings.durableName)", jsErrorCode: errorCode)
            guard let sub else { throw NatsError(.jetStream, "libnats returned no subscription") }
            return UnsafeSendableHandle(sub)
        }
        let consumer = PullConsumer(subscription: subscription.pointer, jetStream: jetStream, settings: settings)
        consumer.startFetching()
        return consumer
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<JetStreamMessage>.Iterator
        let consumer: PullConsumer

        public mutating func next() async -> JetStreamMessage? {
            while let message = await base.next() {
                if consumer.handOut(message) { return message }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), consumer: self)
    }

    /// False when the message was released by `stop()` before anyone took it.
    fileprivate func handOut(_ message: JetStreamMessage) -> Bool {
        buffered.withLock { $0.removeValue(forKey: ObjectIdentifier(message)) } != nil
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
        var stallWatch = DeliveryStallWatch(patience: settings.stallPatience)
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
                    let message = JetStreamMessage(taking: msg, release: slots)
                    buffered.withLock { $0[ObjectIdentifier(message)] = message }
                    continuation.yield(message)
                    delivered += 1
                }
            }
            natsMsgList_Destroy(&list)
            for _ in delivered..<free { slots.signal() }
            if delivered > 0 {
                stallWatch.delivered()
            } else if status == NATS_TIMEOUT && stallWatch.fetchedNothing(now: .now) {
                lookForStall(&stallWatch)
            }
            if status != NATS_OK && status != NATS_TIMEOUT {
                // Disconnected or the server is restarting: back off briefly, libnats reconnects.
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    /// Reads the consumer's state and, when the watch calls it stalled, asks JetStream to move the
    /// consumer's leadership to another replica. Runs on the fetch thread: it has nothing else to do.
    private func lookForStall(_ watch: inout DeliveryStallWatch) {
        // Disconnected, the answer could only be a timeout, holding this thread (and a stop) that long.
        guard jetStream.connection.isConnected else {
            watch.unreadable(now: .now)
            return
        }
        var info: UnsafeMutablePointer<jsConsumerInfo>? = nil
        var errorCode = jsErrCode(0)
        let status = js_GetConsumerInfo(&info, jetStream.context, settings.stream, settings.durableName, nil, &errorCode)
        guard status == NATS_OK, let info else {
            watch.unreadable(now: .now)
            return
        }
        let state = DeliveryStallWatch.State(
            pending: info.pointee.NumPending, deliveredSequence: info.pointee.Delivered.Stream,
            ackPending: info.pointee.NumAckPending, maxAckPending: info.pointee.Config?.pointee.MaxAckPending ?? .max)
        jsConsumerInfo_Destroy(info)
        guard watch.judge(state, now: .now) == .stalled else { return }
        let logger = jetStream.connection.logger
        logger.warning(
            "a consumer hands out nothing while messages wait for it; asking JetStream for a new leader",
            metadata: [
                "consumer": "\(settings.stream) > \(settings.durableName)", "pending": "\(state.pending)",
                "delivered": "\(state.deliveredSequence)",
            ])
        do {
            try jetStream.stepDownLeader(stream: settings.stream, consumer: settings.durableName)
        } catch {
            logger.warning("the consumer's leader did not step down", metadata: ["error": "\(error)"])
        }
    }

    /// Stops fetching and hands back (nak, no delay) what was fetched but not yet taken; messages
    /// being handled may still be settled, for up to `grace`, before the subscription goes away.
    public func stop(grace: Duration = .seconds(10)) async {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        let finished = self.finished
        let subscription = UnsafeSendableHandle(self.subscription)
        let slots = self.slots
        let maxInFlight = self.maxInFlight
        _ = try? await BlockingCalls.run { [self] () throws(NatsError) in
            finished.wait()
            let untaken = buffered.withLock { held in
                defer { held.removeAll() }
                return Array(held.values)
            }
            for message in untaken { try? message.nak(delay: .zero) }
            let deadline = DispatchTime.now() + .nanoseconds(Int(grace.nanoseconds))
            var reclaimed = 0
            while reclaimed < maxInFlight && slots.wait(timeout: deadline) == .success { reclaimed += 1 }
            for _ in 0..<reclaimed { slots.signal() }
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
