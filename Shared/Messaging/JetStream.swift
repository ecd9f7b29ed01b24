import CNats
import Foundation

/// A stream's settings: the subset Tollgate uses.
public struct StreamSettings: Sendable, Equatable {
    public var name: String
    public var subjects: [String]
    public var maxAge: Duration?
    /// How long JetStream remembers a `Nats-Msg-Id` to drop duplicates.
    public var duplicateWindow: Duration
    /// How many servers of a cluster hold a copy (1 on a single server).
    public var replicas: Int
    /// Only servers with every one of these `server_tags` hold it (none: any server).
    public var placementTags: [String]

    public init(
        name: String, subjects: [String], maxAge: Duration? = nil, duplicateWindow: Duration = .seconds(120),
        replicas: Int = 1, placementTags: [String] = []
    ) {
        self.name = name
        self.subjects = subjects
        self.maxAge = maxAge
        self.duplicateWindow = duplicateWindow
        self.replicas = replicas
        self.placementTags = placementTags
    }
}

/// What JetStream answered to a publish.
public struct PublishAck: Sendable, Equatable {
    public let stream: String
    public let sequence: UInt64
    /// True when JetStream already had a message with this `Nats-Msg-Id` and dropped this one.
    public let duplicate: Bool

    public init(stream: String, sequence: UInt64, duplicate: Bool) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
    }

    /// Reads JetStream's reply to a publish: `{"stream":…,"seq":…,"duplicate":true}`, or
    /// `{"error":{"code":…,"err_code":…,"description":…}}` when it refused the message.
    init(reply: Data, subject: String) throws(NatsError) {
        guard let body = try? JSONDecoder().decode(Reply.self, from: reply) else {
            throw NatsError(.jetStream, "publish to \(subject): not a JetStream acknowledgement")
        }
        if let error = body.error {
            throw NatsError(
                .jetStream,
                "publish to \(subject): \(error.description ?? "refused") [jetstream error \(error.err_code ?? error.code ?? 0)]")
        }
        guard let stream = body.stream, let sequence = body.seq else {
            throw NatsError(.jetStream, "publish to \(subject): acknowledgement without stream or sequence")
        }
        self.init(stream: stream, sequence: sequence, duplicate: body.duplicate ?? false)
    }

    private struct Reply: Decodable {
        struct Refusal: Decodable {
            let code: Int?
            let err_code: Int?
            let description: String?
        }
        let stream: String?
        let seq: UInt64?
        let duplicate: Bool?
        let error: Refusal?
    }
}

/// JetStream on one connection: streams, acknowledged publishes, pull consumers and key-value buckets.
/// libnats' JetStream management calls block waiting for the server, so they run on Dispatch threads;
/// publishes do not (see `publish`).
public final class JetStream: @unchecked Sendable {
    let context: OpaquePointer
    public let connection: NatsConnection
    /// How long a publish waits for JetStream's acknowledgement.
    let timeout: Duration

    init(connection: NatsConnection, timeout: Duration) throws(NatsError) {
        var options = jsOptions()
        jsOptions_Init(&options)
        options.Wait = timeout.milliseconds
        var context: OpaquePointer? = nil
        try NatsError.check(natsConnection_JetStream(&context, connection.handle, &options), "open JetStream")
        guard let context else { throw NatsError(.jetStream, "libnats returned no JetStream context") }
        self.context = context
        self.connection = connection
        self.timeout = timeout
    }

    deinit { jsCtx_Destroy(context) }

    /// Creates the stream, or brings an existing one to these settings; returns what it changed
    /// (`replicas 1 → 3`), empty when it was created or already so.
    @discardableResult
    public func createOrUpdateStream(_ settings: StreamSettings) async throws(NatsError) -> [String] {
        let context = UnsafeSendableHandle(self.context)
        return try await BlockingCalls.run { () throws(NatsError) -> [String] in
            try withStreamConfig(settings) { config throws(NatsError) -> [String] in
                var errorCode = jsErrCode(0)
                let status = js_AddStream(nil, context.pointer, &config, nil, &errorCode)
                if status == NATS_OK { return [] }
                // 10058: a stream with this name exists already, with other settings.
                guard errorCode.rawValue == 10058 else {
                    throw NatsError.from(status, "create stream \(settings.name)", jsErrorCode: errorCode)
                }
                let changes = try differences(context: context.pointer, settings: settings)
                var updateCode = jsErrCode(0)
                try NatsError.check(
                    js_UpdateStream(nil, context.pointer, &config, nil, &updateCode), "update stream \(settings.name)",
                    jsErrorCode: updateCode)
                return changes
            }
        }
    }

    /// Gives an existing stream (a bucket's `KV_…`) this replica count and placement; returns what
    /// changed.
    func setReplication(stream: String, replicas: Int, placementTags: [String]) throws(NatsError) -> [String] {
        var info: UnsafeMutablePointer<jsStreamInfo>? = nil
        var errorCode = jsErrCode(0)
        try NatsError.check(
            js_GetStreamInfo(&info, context, stream, nil, &errorCode), "read stream \(stream)", jsErrorCode: errorCode)
        guard let info else { throw NatsError(.jetStream, "libnats returned no stream information") }
        defer { jsStreamInfo_Destroy(info) }
        guard let config = info.pointee.Config else { return [] }
        var changes: [String] = []
        if config.pointee.Replicas != Int64(replicas) { changes.append("replicas \(config.pointee.Replicas) → \(replicas)") }
        let tags = PlacementTags.of(config.pointee)
        if tags.sorted() != placementTags.sorted() { changes.append("placement tags \(tags) → \(placementTags)") }
        guard !changes.isEmpty else { return [] }
        config.pointee.Replicas = Int64(replicas)
        let previousPlacement = config.pointee.Placement
        defer { config.pointee.Placement = previousPlacement }
        let context = self.context
        try PlacementTags(tags: placementTags).with { placement throws(NatsError) in
            config.pointee.Placement = placement
            var updateCode = jsErrCode(0)
            try NatsError.check(
                js_UpdateStream(nil, context, config, nil, &updateCode), "update stream \(stream)", jsErrorCode: updateCode)
        }
        return changes
    }

    /// Publishes and waits for JetStream to store the message. `messageID` becomes `Nats-Msg-Id`, so a
    /// repeated publish with the same id inside the duplicate window is stored once.
    ///
    /// A JetStream publish is a request whose reply is the acknowledgement, so it goes through the
    /// connection's non-blocking request path rather than libnats' `js_PublishMsg`, which holds a
    /// thread while it waits: every accepted webhook and every outbox row publishes, and the thread
    /// handoffs cost more than the publish. No stream on the subject: `noResponders`.
    public func publish(
        _ subject: String, payload: Data, messageID: String? = nil, headers: NatsHeaders = NatsHeaders()
    ) async throws(NatsError) -> PublishAck {
        var headers = headers
        if let messageID { headers.add("Nats-Msg-Id", messageID) }
        let reply: NatsMessage
        do {
            reply = try await connection.request(subject, payload: payload, headers: headers, timeout: timeout)
        } catch let error as NatsError {
            throw NatsError(error.code, "publish to \(subject): \(error.message)")
        } catch {
            throw NatsError(.other, "publish to \(subject): \(error)")
        }
        return try PublishAck(reply: reply.payload, subject: subject)
    }

    /// Binds to (creating or updating) a durable pull consumer.
    public func pullConsumer(_ settings: PullConsumerSettings) async throws(NatsError) -> PullConsumer {
        try await PullConsumer.open(jetStream: self, settings: settings)
    }

    /// Opens a bucket someone else owns; fails when it does not exist (yet).
    public func existingKeyValue(_ name: String) async throws(NatsError) -> KeyValueBucket {
        try await KeyValueBucket.openExisting(jetStream: self, name: name)
    }

    /// Opens a key-value bucket, creating it if needed (its owner's call).
    public func keyValue(_ settings: KeyValueSettings) async throws(NatsError) -> KeyValueBucket {
        try await KeyValueBucket.open(jetStream: self, settings: settings)
    }
}

/// How the stream as it exists differs from `settings`, in words for the log.
private func differences(context: OpaquePointer, settings: StreamSettings) throws(NatsError) -> [String] {
    var info: UnsafeMutablePointer<jsStreamInfo>? = nil
    var errorCode = jsErrCode(0)
    try NatsError.check(
        js_GetStreamInfo(&info, context, settings.name, nil, &errorCode), "read stream \(settings.name)",
        jsErrorCode: errorCode)
    guard let info, let config = info.pointee.Config?.pointee else { return [] }
    defer { jsStreamInfo_Destroy(info) }
    var changes: [String] = []
    if config.Replicas != Int64(settings.replicas) { changes.append("replicas \(config.Replicas) → \(settings.replicas)") }
    let tags = PlacementTags.of(config)
    if tags.sorted() != settings.placementTags.sorted() { changes.append("placement tags \(tags) → \(settings.placementTags)") }
    let maxAge = settings.maxAge?.nanoseconds ?? 0
    if config.MaxAge != maxAge { changes.append("max age \(config.MaxAge / 1_000_000_000) s → \(maxAge / 1_000_000_000) s") }
    if config.Duplicates != settings.duplicateWindow.nanoseconds { changes.append("duplicate window") }
    let subjects = (0..<Int(config.SubjectsLen)).compactMap { config.Subjects?[$0].map { String(cString: $0) } }
    if subjects != settings.subjects { changes.append("subjects \(subjects) → \(settings.subjects)") }
    return changes
}

private func withStreamConfig<Result>(
    _ settings: StreamSettings, _ body: (inout jsStreamConfig) throws(NatsError) -> Result
) throws(NatsError) -> Result {
    var config = jsStreamConfig()
    jsStreamConfig_Init(&config)
    config.Storage = js_FileStorage
    config.Duplicates = settings.duplicateWindow.nanoseconds
    config.Replicas = Int64(settings.replicas)
    if let maxAge = settings.maxAge { config.MaxAge = maxAge.nanoseconds }
    let names = settings.subjects.map { strdup($0) }
    defer { names.forEach { free($0) } }
    let name = strdup(settings.name)
    defer { free(name) }
    config.Name = UnsafePointer(name)
    var subjectPointers = names.map { UnsafePointer<CChar>($0) }
    return try PlacementTags(tags: settings.placementTags).with { placement throws(NatsError) -> Result in
        config.Placement = placement
        return try subjectPointers.withUnsafeMutableBufferPointer { buffer throws(NatsError) -> Result in
            config.Subjects = buffer.baseAddress
            config.SubjectsLen = Int32(buffer.count)
            return try body(&config)
        }
    }
}
