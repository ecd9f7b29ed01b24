import CNats
import Foundation

/// A message received from NATS, copied out of libnats so no C memory outlives the callback.
public struct NatsMessage: Sendable {
    public let subject: String
    public let replyTo: String?
    public let headers: NatsHeaders
    public let payload: Data

    public init(subject: String, replyTo: String? = nil, headers: NatsHeaders = NatsHeaders(), payload: Data = Data()) {
        self.subject = subject
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
    }

    /// Copies a libnats message. The caller still owns (and must destroy) `msg`.
    init(copying msg: OpaquePointer) {
        subject = String(cString: natsMsg_GetSubject(msg))
        replyTo = natsMsg_GetReply(msg).map { String(cString: $0) }
        headers = NatsHeaders(copyingFrom: msg)
        let length = Int(natsMsg_GetDataLength(msg))
        if length > 0, let data = natsMsg_GetData(msg) {
            payload = Data(bytes: data, count: length)
        } else {
            payload = Data()
        }
    }

    /// Builds a libnats message; the caller owns it and must destroy it.
    static func makeCMessage(subject: String, replyTo: String?, headers: NatsHeaders, payload: Data) throws(NatsError)
        -> OpaquePointer
    {
        var msg: OpaquePointer? = nil
        let status = payload.withUnsafeBytes { bytes in
            natsMsg_Create(
                &msg, subject, replyTo, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        try NatsError.check(status, "create message for \(subject)")
        guard let msg else { throw NatsError(.other, "libnats returned no message") }
        do {
            try headers.apply(to: msg)
        } catch {
            natsMsg_Destroy(msg)
            throw error
        }
        return msg
    }
}
