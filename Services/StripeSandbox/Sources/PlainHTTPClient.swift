import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The sandbox's HTTP client, for posting events and for `tollgate-stripe-sandbox advance`: one
/// request per connection, plain HTTP, straight to an IP address when given one. (Resolving a host
/// name for every connection was, at the benchmark's rate, a sixth of the sandbox's time, which the
/// benchmark then counted against the services.)
enum PlainHTTPClient {
    struct Reply: Sendable {
        let status: Int
        let body: Data
    }

    /// The reply, or nil when none came (refused, reset, or cut off after `timeout`, as Stripe cuts
    /// off a webhook endpoint that hangs).
    static func send(
        _ method: HTTPMethod, host: String, port: Int, path: String, headers: [(String, String)], body: Data?,
        timeout: TimeAmount = .seconds(30)
    ) async -> Reply? {
        do {
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(5))
            let wrap: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
            let channel =
                if let address = try? SocketAddress(ipAddress: host, port: port) {
                    try await bootstrap.connect(to: address, channelInitializer: wrap)
                } else {
                    try await bootstrap.connect(host: host, port: port, channelInitializer: wrap)
                }
            let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
                channel.channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            return try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
                head.headers.add(name: "Host", value: "\(host):\(port)")
                for (name, value) in headers { head.headers.add(name: name, value: value) }
                head.headers.add(name: "Content-Length", value: "\(body?.count ?? 0)")
                head.headers.add(name: "Connection", value: "close")
                try await outbound.write(.head(head))
                if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                try await outbound.write(.end(nil))
                var status: Int?
                var received = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let response): status = Int(response.status.code)
                    case .body(var chunk): received.writeBuffer(&chunk)
                    case .end: return status.map { Reply(status: $0, body: Data(received.readableBytesView)) }
                    }
                }
                return status.map { Reply(status: $0, body: Data(received.readableBytesView)) }
            }
        } catch {
            return nil
        }
    }

    /// Posts an event as Stripe does; the answer's status, or nil when there was none.
    static func postEvent(to target: SandboxState.WebhookTarget, signature: String, body: Data) async -> Int? {
        await send(
            .POST, host: target.host, port: target.port, path: target.path,
            headers: [("Content-Type", "application/json"), ("Stripe-Signature", signature)], body: body)?.status
    }
}
