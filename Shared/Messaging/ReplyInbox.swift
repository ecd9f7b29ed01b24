import CNats
import Foundation
import Synchronization

/// Request/reply without blocking: one wildcard inbox subscription per connection, and a table of
/// waiting requests keyed by the last token of the reply subject.
final class ReplyInbox: @unchecked Sendable {
    private let prefix: String
    private let pending = Mutex<[UInt64: CheckedContinuation<NatsMessage, any Error>]>([:])
    private let nextToken = Atomic<UInt64>(1)
    private var handle: OpaquePointer?

    init(connection: OpaquePointer) throws(NatsError) {
        var inbox: UnsafeMutablePointer<CChar>? = nil
        try NatsError.check(natsInbox_Create(&inbox), "create inbox")
        prefix = inbox.map { String(cString: $0) } ?? "_INBOX.\(UUID().uuidString)"
        natsInbox_Destroy(inbox)
        var sub: OpaquePointer? = nil
        let closure = Unmanaged.passUnretained(self).toOpaque()
        try NatsError.check(
            natsConnection_Subscribe(&sub, connection, prefix + ".*", replyCallback, closure), "subscribe to inbox")
        natsSubscription_SetPendingLimits(sub, -1, -1)
        handle = sub
    }

    func request(
        connection: OpaquePointer, subject: String, headers: NatsHeaders, payload: Data, timeout: Duration
    ) async throws -> NatsMessage {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        let msg = try NatsMessage.makeCMessage(
            subject: subject, replyTo: "\(prefix).\(token)", headers: headers, payload: payload)
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self?.complete(token, with: .failure(NatsError.timeout))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0[token] = continuation }
            let status = natsConnection_PublishMsg(connection, msg)
            natsMsg_Destroy(msg)
            if status != NATS_OK {
                complete(token, with: .failure(NatsError.from(status, "publish request to \(subject)")))
            }
        }
    }

    fileprivate func deliver(_ msg: OpaquePointer) {
        let subject = String(cString: natsMsg_GetSubject(msg))
        guard let dot = subject.lastIndex(of: "."), let token = UInt64(subject[subject.index(after: dot)...]) else {
            return
        }
        if natsMsg_IsNoResponders(msg) {
            complete(token, with: .failure(NatsError.noResponders))
        } else {
            complete(token, with: .success(NatsMessage(copying: msg)))
        }
    }

    private func complete(_ token: UInt64, with result: Result<NatsMessage, any Error>) {
        let continuation = pending.withLock { $0.removeValue(forKey: token) }
        continuation?.resume(with: result)
    }

    /// Fails every waiting request; used when the connection closes.
    func failAll(_ error: NatsError) {
        let waiting = pending.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }

    func close() {
        if let handle {
            natsSubscription_Unsubscribe(handle)
            natsSubscription_Destroy(handle)
        }
        handle = nil
    }
}

private func replyCallback(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ msg: OpaquePointer?, _ closure: UnsafeMutableRawPointer?
) {
    guard let msg else { return }
    defer { natsMsg_Destroy(msg) }
    guard let closure else { return }
    Unmanaged<ReplyInbox>.fromOpaque(closure).takeUnretainedValue().deliver(msg)
}
