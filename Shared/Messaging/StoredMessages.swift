import CNats
import Foundation

/// A message as a stream stores it, read directly by sequence (not through a consumer).
public struct StoredMessage: Sendable {
    public let sequence: UInt64
    public let time: Date
    public let message: NatsMessage
}

extension JetStream {
    /// Every message a stream holds, oldest first. For small streams read by operators (dead
    /// letters), not for consumption.
    public func storedMessages(in stream: String) async throws(NatsError) -> [StoredMessage] {
        let context = UnsafeSendableHandle(self.context)
        return try await BlockingCalls.run { () throws(NatsError) -> [StoredMessage] in
            var info: UnsafeMutablePointer<jsStreamInfo>? = nil
            var errorCode = jsErrCode(0)
            try NatsError.check(
                js_GetStreamInfo(&info, context.pointer, stream, nil, &errorCode), "read stream \(stream)",
                jsErrorCode: errorCode)
            guard let info else { return [] }
            let first = info.pointee.State.FirstSeq
            let last = info.pointee.State.LastSeq
            let count = info.pointee.State.Msgs
            jsStreamInfo_Destroy(info)
            guard count > 0, first <= last else { return [] }
            var messages: [StoredMessage] = []
            for sequence in first...last {
                var msg: OpaquePointer? = nil
                var code = jsErrCode(0)
                let status = js_GetMsg(&msg, context.pointer, stream, sequence, nil, &code)
                // 10037: no message at this sequence (deleted).
                if status != NATS_OK, code.rawValue == 10037 || status == NATS_NOT_FOUND { continue }
                try NatsError.check(status, "read message \(sequence) of \(stream)", jsErrorCode: code)
                guard let msg else { continue }
                defer { natsMsg_Destroy(msg) }
                messages.append(
                    StoredMessage(
                        sequence: sequence,
                        time: Date(timeIntervalSince1970: TimeInterval(natsMsg_GetTime(msg)) / 1_000_000_000),
                        message: NatsMessage(copying: msg)))
            }
            return messages
        }
    }

    /// Removes one message from a stream.
    public func deleteMessage(in stream: String, sequence: UInt64) async throws(NatsError) {
        let context = UnsafeSendableHandle(self.context)
        try await BlockingCalls.run { () throws(NatsError) in
            var code = jsErrCode(0)
            try NatsError.check(
                js_DeleteMsg(context.pointer, stream, sequence, nil, &code), "delete message \(sequence) of \(stream)",
                jsErrorCode: code)
        }
    }

    /// Removes one message and overwrites it where it was stored, so its bytes are gone from disk
    /// too (JetStream's secure erase). Sent as a plain request: it runs for every delivered email,
    /// and libnats' call for it would hold a thread while it waits.
    public func eraseMessage(in stream: String, sequence: UInt64) async throws(NatsError) {
        let reply: NatsMessage
        do {
            reply = try await connection.request(
                "$JS.API.STREAM.MSG.DELETE.\(stream)", payload: Data("{\"seq\":\(sequence)}".utf8), timeout: timeout)
        } catch let error as NatsError {
            throw NatsError(error.code, "erase message \(sequence) of \(stream): \(error.message)")
        } catch {
            throw NatsError(.other, "erase message \(sequence) of \(stream): \(error)")
        }
        try JetStreamAnswer.check(reply.payload, "erase message \(sequence) of \(stream)")
    }
}
