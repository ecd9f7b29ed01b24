import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// How the stand-in posts an event: a new connection per delivery, straight to the loopback address.
/// (The general test client resolves its host name for every connection; at the benchmark's rate
/// that was a sixth of the stand-in's time, which the benchmark then counted against the services.)
enum WebhookDelivery {
    /// The response's status, or nil when the delivery did not get one.
    static func post(port: Int, path: String, signature: String, body: Data, timeout: TimeAmount = .seconds(30)) async -> Int? {
        do {
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
            // A delivery that hangs is cut off, as Stripe does (its answer then counts as none).
            let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
                channel.channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            return try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
                head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Stripe-Signature", value: signature)
                head.headers.add(name: "Content-Length", value: "\(body.count)")
                head.headers.add(name: "Connection", value: "close")
                try await outbound.write(.head(head))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                try await outbound.write(.end(nil))
                var status: Int?
                for try await part in inbound {
                    if case .head(let response) = part { status = Int(response.status.code) }
                    if case .end = part { break }
                }
                return status
            }
        } catch {
            return nil
        }
    }
}
