import NIOCore
import NIOHTTPTypes

/// Sits behind the HTTP decoder and tells the connection's `SlowClientTimer` where each request
/// and answer begins and ends; it changes nothing that passes through.
final class RequestPhaseObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var timer: SlowClientTimer?

    func handlerAdded(context: ChannelHandlerContext) {
        timer = try? context.pipeline.syncOperations.handler(type: SlowClientTimer.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: timer?.headReceived()
        case .end: timer?.requestReceived()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { timer?.answerSent() }
        context.write(data, promise: promise)
    }
}
