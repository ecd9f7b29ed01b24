import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with a `SlowClientTimer` in front of its decoder and a
/// `RequestPhaseObserver` behind it, so slow and idle clients are cut off (`HTTPTimeouts`).
public struct GuardedHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    private let http1: HTTP1Channel
    private let timeouts: HTTPTimeouts

    public init(responder: @escaping HTTPChannelHandler.Responder, timeouts: HTTPTimeouts) {
        self.http1 = HTTP1Channel(
            responder: responder, configuration: .init(additionalChannelHandlers: [RequestPhaseObserver()]))
        self.timeouts = timeouts
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(SlowClientTimer(timeouts: timeouts), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with Tollgate's deadlines for slow clients.
    public static func guardedHTTP1(timeouts: HTTPTimeouts) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, timeouts: timeouts) }
    }
}
