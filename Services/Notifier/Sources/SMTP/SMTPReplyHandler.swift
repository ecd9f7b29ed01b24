import NIOCore

/// Turns the server's lines into replies (joining `250-…` continuation lines) and hands each to
/// the oldest waiting request. Lives on the channel's event loop; every method runs there.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var lines: [String] = []
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var closedError: MailDeliveryError?

    /// The next reply, failed with a transient error if it takes longer than `timeout` (the
    /// connection is then closed: a conversation out of step cannot be trusted).
    func nextReply(context channel: any Channel, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        let eventLoop = channel.eventLoop
        if let reply = unclaimed.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let closedError { return eventLoop.makeFailedFuture(closedError) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(MailDeliveryError.transient("no reply from the server in time"))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        var line = buffer.readString(length: buffer.readableBytes) ?? ""
        if line.hasSuffix("\r") { line.removeLast() }
        let characters = Array(line.utf8)
        guard characters.count >= 3, let code = Int(String(decoding: characters[0..<3], as: UTF8.self)),
            characters.count == 3 || characters[3] == UInt8(ascii: " ") || characters[3] == UInt8(ascii: "-")
        else {
            failAll(.transient("unreadable reply from the server: \(line.prefix(100))"))
            context.close(promise: nil)
            return
        }
        lines.append(characters.count > 4 ? String(decoding: characters[4...], as: UTF8.self) : "")
        guard characters.count == 3 || characters[3] == UInt8(ascii: " ") else { return }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if let promise = waiting.popFirst() {
            promise.succeed(reply)
        } else {
            unclaimed.append(reply)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.transient("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(.transient("connection failed: \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: MailDeliveryError) {
        closedError = closedError ?? error
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}
