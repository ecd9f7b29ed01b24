import CNats
import Foundation

/// A stream's settings: the subset Tollgate uses.
public struct StreamSettings: Sendable, Equatable {
    public var name: String
    public var subjects: [String]
    public var maxAge: Duration?
    /// How long JetStream remembers a `Nats-Msg-Id` to drop duplicates.
    public var duplicateWindow: Duration

    public init(name: String, subjects: [String], maxAge: Duration? = nil, duplicateWindow: Duration = .seconds(120)) {
        self.name = name
        self.subjects = subjects
        self.maxAge = maxAge
        self.duplicateWindow = duplicateWindow
    }
}

/// What JetStream answered to a publish.
public struct PublishAck: Sendable, Equatable {
    public let stream: String
    public let sequence: UInt64
    /// True when JetStream already had a message with this `Nats-Msg-Id` and dropped this one.
    public let duplicate: Bool
}

/// JetStream on one connection: streams, acknowledged publishes, pull consumers and key-value buckets.
/// libnats' JetStream calls block waiting for the server, so they run on Dispatch threads.
public final class JetStream: @unchecked Sendable {
    let context: OpaquePointer
    public let connection: NatsConnection

    init(connection: NatsConnection, timeout: Duration) throws(NatsError) {
        var options = jsOptions()
        jsOptions_Init(&options)
        options.Wait = timeout.milliseconds
        var context: OpaquePointer? = nil
        try NatsError.check(natsConnection_JetStream(&context, connection.handle, &options), "open JetStream")
        guard let context else { throw NatsError(.jetStream, "libnats returned no JetStream context") }
        self.context = context
        self.connection = connection
    }

    deinit { jsCtx_Destroy(context) }

    /// Creates the stream, or updates it to these settings if it exists.
    public func createOrUpdateStream(_ settings: StreamSettings) async throws(NatsError) {
        let context = UnsafeSendableHandle(self.context)
        try await BlockingCalls.run { () throws(NatsError) in
            try withStreamConfig(settings) { config throws(NatsError) in
                var errorCode = jsErrCode(0)
                let status = js_AddStream(nil, context.pointer, &config, nil, &errorCode)
                if status == NATS_OK { return }
                // 10058: a stream with this name exists already.
                guard errorCode.rawValue == 10058 else {
                    throw NatsError.from(status, "create stream \(settings.name)", jsErrorCode: errorCode)
                }
                var updateCode = jsErrCode(0)
                try NatsError.check(
                    js_UpdateStream(nil, context.pointer, &config, nil, &updateCode), "update stream \(settings.name)",
                    jsErrorCode: updateCode)
            }
        }
    }

    /// Publishes and waits for JetStream to store the message. `messageID` becomes `Nats-Msg-Id`, so a
    /// repeated publish with the same id inside the duplicate window is stored once.
    public func publish(
        _ subject: String, payload: Data, messageID: String? = nil, headers: NatsHeaders = NatsHeaders()
    ) async throws(NatsError) -> PublishAck {
        let context = UnsafeSendableHandle(self.context)
        let msg = UnsafeSendableHandle(
            try NatsMessage.makeCMessage(subject: subject, replyTo: nil, headers: headers, payload: payload))
        return try await BlockingCalls.run { () throws(NatsError) -> PublishAck in
            defer { natsMsg_Destroy(msg.pointer) }
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            var ack: UnsafeMutablePointer<jsPubAck>? = nil
            var errorCode = jsErrCode(0)
            let status: natsStatus
            if let messageID {
                status = messageID.withCString { id in
                    options.MsgId = id
                    return js_PublishMsg(&ack, context.pointer, msg.pointer, &options, &errorCode)
                }
            } else {
                status = js_PublishMsg(&ack, context.pointer, msg.pointer, &options, &errorCode)
            }
            try NatsError.check(status, "publish to \(subject)", jsErrorCode: errorCode)
            guard let ack else { throw NatsError(.jetStream, "no acknowledgement for \(subject)") }
            defer { jsPubAck_Destroy(ack) }
            return PublishAck(
                stream: ack.pointee.Stream.map { String(cString: $0) } ?? "",
                sequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate)
        }
    }

    /// Binds to (creating or updating) a durable pull consumer.
    public func pullConsumer(_ settings: PullConsumerSettings) async throws(NatsError) -> PullConsumer {
        try await PullConsumer.open(jetStream: self, settings: settings)
    }

    /// Opens a key-value bucket, creating it if needed.
    public func keyValue(_ settings: KeyValueSettings) async throws(NatsError) -> KeyValueBucket {
        try await KeyValueBucket.open(jetStream: self, settings: settings)
    }
}

private func withStreamConfig<Result>(
    _ settings: StreamSettings, _ body: (inout jsStreamConfig) throws(NatsError) -> Result
) throws(NatsError) -> Result {
    var config = jsStreamConfig()
    jsStreamConfig_Init(&config)
    config.Storage = js_FileStorage
    config.Duplicates = settings.duplicateWindow.nanoseconds
    if let maxAge = settings.maxAge { config.MaxAge = maxAge.nanoseconds }
    let names = settings.subjects.map { strdup($0) }
    defer { names.forEach { free($0) } }
    let name = strdup(settings.name)
    defer { free(name) }
    config.Name = UnsafePointer(name)
    var subjectPointers = names.map { UnsafePointer<CChar>($0) }
    return try subjectPointers.withUnsafeMutableBufferPointer { buffer throws(NatsError) -> Result in
        config.Subjects = buffer.baseAddress
        config.SubjectsLen = Int32(buffer.count)
        return try body(&config)
    }
}
