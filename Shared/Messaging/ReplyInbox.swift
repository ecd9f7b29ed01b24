import CNats
import Foundation
import Synchronization
import Dispatch

/// Request/reply without blocking: one wildcard inbox subscription per connection, and a table of
/// waiting requests keyed by the last token of the reply subject.
///
/// Timeouts come from one repeating timer that expires due requests from a deadline heap. (A sleeping
/// task per request would do, but a cancelled `Task.sleep` keeps its timer, and its memory, until the
/// full timeout elapses: at thousands of requests a second that is tens of megabytes.)
final class ReplyInbox: @unchecked Sendable {
    private struct Waiting {
        var continuations: [UInt64: CheckedContinuation<NatsMessage, any Error>] = [:]
        var deadlines = DeadlineHeap()
    }

    private let prefix: String
    private let pending = Mutex<Waiting>(Waiting())
    private let nextToken = Atomic<UInt64>(1)
    private let timer: any DispatchSourceTimer
    /// Set once in init; destroyed by the completion callback, when libnats is done with it.
    private var subscription: OpaquePointer?

    init(connection: OpaquePointer, inboxPrefix: String) throws(NatsError) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tollgate.nats.request-timeouts"))
        // Activated at once: libdispatch traps when a never-resumed source is released (if init throws).
        timer.schedule(deadline: .now() + .milliseconds(10), repeating: .milliseconds(10), leeway: .milliseconds(5))
        timer.resume()
        // Under the identity's own inbox prefix, the only inboxes its permissions let it read.
        prefix = "\(inboxPrefix).\(UUID().uuidString.lowercased().filter { $0 != "-" })"
        var sub: OpaquePointer? = nil
        // Retained for libnats and released by the completion callback, after the last delivery.
        let closure = Unmanaged.passRetained(self).toOpaque()
        let status = natsConnection_Subscribe(&sub, connection, prefix + ".*", replyCallback, closure)
        guard status == NATS_OK else {
            Unmanaged<ReplyInbox>.fromOpaque(closure).release()
            throw NatsError.from(status, "subscribe to inbox")
        }
        natsSubscription_SetOnCompleteCB(sub, replyInboxCompleted, closure)
        natsSubscription_SetPendingLimits(sub, -1, -1)
        subscription = sub
        timer.setEventHandler { [weak self] in self?.expireDue() }
    }

    deinit {
        timer.cancel()
    }

    func request(
        connection: OpaquePointer, subject: String, headers: NatsHeaders, payload: Data, timeout: Duration
    ) async throws -> NatsMessage {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        let msg = try NatsMessage.makeCMessage(
            subject: subject, replyTo: "\(prefix).\(token)", headers: headers, payload: payload)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(timeout.nanoseconds, 0))
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { waiting in
                waiting.continuations[token] = continuation
                waiting.deadlines.push(deadline: deadline, token: token)
            }
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
        let continuation = pending.withLock { $0.continuations.removeValue(forKey: token) }
        continuation?.resume(with: result)
    }

    /// Fails the requests whose deadline has passed (answered ones are simply skipped).
    private func expireDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        let expired = pending.withLock { waiting in
            var expired: [CheckedContinuation<NatsMessage, any Error>] = []
            while let token = waiting.deadlines.popDue(now: now) {
                if let continuation = waiting.continuations.removeValue(forKey: token) { expired.append(continuation) }
            }
            return expired
        }
        for continuation in expired { continuation.resume(throwing: NatsError.timeout) }
    }

    fileprivate func destroySubscription() {
        if let subscription { natsSubscription_Destroy(subscription) }
        subscription = nil
    }

    /// Fails every waiting request; used when the connection closes.
    func failAll(_ error: NatsError) {
        let waiting = pending.withLock { waiting in
            defer { waiting = Waiting() }
            return Array(waiting.continuations.values)
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}

private func replyInboxCompleted(_ closure: UnsafeMutableRawPointer?) {
    guard let closure else { return }
    let inbox = Unmanaged<ReplyInbox>.fromOpaque(closure)
    inbox.takeUnretainedValue().destroySubscription()
    inbox.release()
}

private func replyCallback(
    _ connection: OpaquePointer?, _ subscription: OpaquePointer?, _ msg: OpaquePointer?, _ closure: UnsafeMutableRawPointer?
) {
    guard let msg else { return }
    defer { natsMsg_Destroy(msg) }
    guard let closure else { return }
    Unmanaged<ReplyInbox>.fromOpaque(closure).takeUnretainedValue().deliver(msg)
}
