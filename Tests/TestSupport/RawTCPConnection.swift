import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP connection on loopback that writes exactly the bytes it is given, when it is told:
/// what a slow or careless HTTP client does (headers a byte at a time, a body that never ends, a
/// connection left open and silent).
public final class RawTCPConnection: Sendable {
    private let channel: any Channel
    private let received: Received

    private final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.bytes.withLock { $0 += buffer.readableBytesView }
        }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    public static func open(port: Int) async throws -> RawTCPConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawTCPConnection(channel: channel, received: received)
    }

    public func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Everything the server sent so far.
    public var text: String { String(decoding: received.bytes.withLock { $0 }, as: UTF8.self) }

    /// Whether the server has closed the connection.
    public var isClosed: Bool { !channel.isActive }

    public func close() async {
        try? await channel.close().get()
    }
}
