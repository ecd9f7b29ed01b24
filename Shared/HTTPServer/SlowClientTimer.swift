import NIOCore

/// The first handler of a connection: it sees every byte the client sends and closes the
/// connection when the client misses the deadline of the phase it is in (`HTTPTimeouts`). The phase
/// moves on when bytes arrive after an answer (a new request begins) and when
/// `RequestPhaseObserver`, behind the HTTP decoder, reports a request's head and end and an answer's end.
final class SlowClientTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Phase: Equatable {
        /// A new connection, or a request's first bytes: its headers are due.
        case readingHead
        case readingBody
        /// The request is in; the server is answering (bounded by its own timeouts, not the client's).
        case answering
        /// Between requests on a kept-alive connection.
        case idle
    }

    private let timeouts: HTTPTimeouts
    private var phase = Phase.readingHead
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(timeouts: HTTPTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { enter(.readingHead) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.readingHead)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { enter(.readingHead) }
        context.fireChannelRead(data)
    }

    func headReceived() { enter(.readingBody) }
    func requestReceived() { enter(.answering) }
    func answerSent() { enter(.idle) }

    private func enter(_ next: Phase) {
        phase = next
        deadline?.cancel()
        deadline = nil
        let limit: Duration
        switch next {
        case .readingHead: limit = timeouts.headerRead
        case .readingBody: limit = timeouts.bodyRead
        case .idle: limit = timeouts.keepAliveIdle
        case .answering: return
        }
        guard let context else { return }
        let channel = context.channel
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limit)) {
            channel.close(promise: nil)
        }
    }
}
