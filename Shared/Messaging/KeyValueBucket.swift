import CNats
import Foundation
import Logging
import Synchronization

public struct KeyValueSettings: Sendable {
    public var bucket: String
    /// Entries older than this disappear (nil: kept until deleted).
    public var ttl: Duration?
    public var history: UInt8
    /// How many servers of a cluster hold a copy (1 on a single server).
    public var replicas: Int
    /// Only servers with every one of these `server_tags` hold it (none: any server).
    public var placementTags: [String]

    public init(bucket: String, ttl: Duration? = nil, history: UInt8 = 1, replicas: Int = 1, placementTags: [String] = []) {
        self.bucket = bucket
        self.ttl = ttl
        self.history = history
        self.replicas = replicas
        self.placementTags = placementTags
    }

    /// The stream JetStream keeps the bucket in.
    public var streamName: String { "KV_\(bucket)" }
}

/// One key's value as a watcher or `get` sees it.
public struct KeyValueEntry: Sendable, Equatable {
    public enum Operation: Sendable, Equatable { case put, delete, purge }
    public let key: String
    public let value: Data
    public let revision: UInt64
    public let operation: Operation
}

/// What a watch yields: every current entry, then `.caughtUp` once, then each change as it happens.
public enum KeyValueUpdate: Sendable, Equatable {
    case entry(KeyValueEntry)
    case caughtUp
}

/// A JetStream key-value bucket.
public final class KeyValueBucket: @unchecked Sendable {
    private let store: OpaquePointer
    private let jetStream: JetStream
    public let name: String

    private init(store: OpaquePointer, jetStream: JetStream, name: String) {
        self.store = store
        self.jetStream = jetStream
        self.name = name
    }

    deinit { kvStore_Destroy(store) }

    static func open(jetStream: JetStream, settings: KeyValueSettings) async throws(NatsError) -> KeyValueBucket {
        let context = UnsafeSendableHandle(jetStream.context)
        let (store, changes) = try await BlockingCalls.run { () throws(NatsError) -> (UnsafeSendableHandle, [String]) in
            var config = kvConfig()
            kvConfig_Init(&config)
            config.History = settings.history
            config.StorageType = js_FileStorage
            config.Replicas = Int32(settings.replicas)
            if let ttl = settings.ttl { config.TTL = ttl.nanoseconds }
            var store: OpaquePointer? = nil
            let status = settings.bucket.withCString { bucket in
                config.Bucket = bucket
                return js_CreateKeyValue(&store, context.pointer, &config)
            }
            if status != NATS_OK {
                // It exists with other settings (made before, or by another instance).
                if status == NATS_TIMEOUT { throw NatsError.from(status, "create bucket \(settings.bucket)") }
                try NatsError.check(js_KeyValue(&store, context.pointer, settings.bucket), "open bucket \(settings.bucket)")
            }
            // libnats' bucket settings have no placement: its stream gets it (and the configured
            // copies, when it existed with another count) afterwards; the rest is used as it is.
            let changes = try jetStream.setReplication(
                stream: settings.streamName, replicas: settings.replicas, placementTags: settings.placementTags)
            guard let store else { throw NatsError(.jetStream, "libnats returned no bucket") }
            return (UnsafeSendableHandle(store), changes)
        }
        if !changes.isEmpty {
            jetStream.connection.logger.notice(
                "bucket brought to its settings", metadata: ["bucket": "\(settings.bucket)", "changes": "\(changes)"])
        }
        return KeyValueBucket(store: store.pointer, jetStream: jetStream, name: settings.bucket)
    }

    /// Binds to a bucket that exists, without trying to create it (for identities that may only
    /// read it: a create they may not make would wait for the JetStream timeout).
    static func openExisting(jetStream: JetStream, name: String) async throws(NatsError) -> KeyValueBucket {
        let context = UnsafeSendableHandle(jetStream.context)
        let store = try await BlockingCalls.run { () throws(NatsError) -> UnsafeSendableHandle in
            var store: OpaquePointer? = nil
            try NatsError.check(js_KeyValue(&store, context.pointer, name), "open bucket \(name)")
            guard let store else { throw NatsError(.jetStream, "libnats returned no bucket") }
            return UnsafeSendableHandle(store)
        }
        return KeyValueBucket(store: store.pointer, jetStream: jetStream, name: name)
    }

    /// The current value, or nil when the key has none (never set, deleted or expired).
    public func get(_ key: String) async throws(NatsError) -> Data? {
        let store = UnsafeSendableHandle(self.store)
        return try await BlockingCalls.run { () throws(NatsError) -> Data? in
            var entry: OpaquePointer? = nil
            let status = kvStore_Get(&entry, store.pointer, key)
            if status == NATS_NOT_FOUND { return nil }
            try NatsError.check(status, "get \(key)")
            guard let entry else { return nil }
            defer { kvEntry_Destroy(entry) }
            return KeyValueEntry(copying: entry).value
        }
    }

    /// The JetStream subject a put of `key` is published on: a plain publish there (an outbox's,
    /// say) is a put like any other.
    public static func putSubject(bucket: String, key: String) -> String {
        "$KV.\(bucket).\(key)"
    }

    /// Stores a value; returns the new revision.
    @discardableResult
    public func put(_ key: String, _ value: Data) async throws(NatsError) -> UInt64 {
        let store = UnsafeSendableHandle(self.store)
        return try await BlockingCalls.run { () throws(NatsError) -> UInt64 in
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { bytes in
                kvStore_Put(&revision, store.pointer, key, bytes.baseAddress, Int32(bytes.count))
            }
            try NatsError.check(status, "put \(key)")
            return revision
        }
    }

    public func delete(_ key: String) async throws(NatsError) {
        let store = UnsafeSendableHandle(self.store)
        try await BlockingCalls.run { () throws(NatsError) in
            try NatsError.check(kvStore_Delete(store.pointer, key), "delete \(key)")
        }
    }

    var logger: Logger { jetStream.connection.logger }
    var isConnected: Bool { jetStream.connection.isConnected }

    /// The sequence of the last message the bucket's stream holds (0 when it holds none: after
    /// its entries expired the stream keeps its last sequence but not the message). Blocking.
    func lastStoredSequence() -> UInt64? {
        var info: UnsafeMutablePointer<jsStreamInfo>? = nil
        var errorCode = jsErrCode(0)
        let status = js_GetStreamInfo(&info, jetStream.context, KeyValueSettings(bucket: name).streamName, nil, &errorCode)
        guard status == NATS_OK, let info else { return nil }
        defer { jsStreamInfo_Destroy(info) }
        return info.pointee.State.Msgs > 0 ? info.pointee.State.LastSeq : 0
    }

    /// Watches every key. The sequence ends when the task iterating it is cancelled, or when it
    /// stalls (see `DeliveryStallWatch`): watch again then.
    public func watchAll() async throws(NatsError) -> KeyValueWatch {
        let store = UnsafeSendableHandle(self.store)
        let watcher = try await BlockingCalls.run { () throws(NatsError) -> UnsafeSendableHandle in
            var watcher: OpaquePointer? = nil
            try NatsError.check(kvStore_WatchAll(&watcher, store.pointer, nil), "watch bucket")
            guard let watcher else { throw NatsError(.jetStream, "libnats returned no watcher") }
            return UnsafeSendableHandle(watcher)
        }
        return KeyValueWatch(watcher: watcher.pointer, bucket: self)
    }
}

/// Updates of a bucket, read by a dedicated thread (libnats' `kvWatcher_Next` blocks).
public final class KeyValueWatch: AsyncSequence, @unchecked Sendable {
    public typealias Element = KeyValueUpdate
    private let state: WatcherState
    private let bucket: KeyValueBucket
    private let stream: AsyncStream<KeyValueUpdate>

    init(watcher: OpaquePointer, bucket: KeyValueBucket) {
        self.bucket = bucket
        let state = WatcherState(watcher, isConnected: { [bucket] in bucket.isConnected })
        self.state = state
        let (stream, continuation) = AsyncStream<KeyValueUpdate>.makeStream()
        self.stream = stream
        let thread = Thread {
            defer {
                continuation.finish()
                state.destroy()
            }
            var stallWatch = DeliveryStallWatch(patience: KeyValueWatch.stallPatience)
            var lastSeen: UInt64 = 0
            while let watcher = state.activeWatcher {
                var entry: OpaquePointer? = nil
                let status = kvWatcher_Next(&entry, watcher.pointer, 500)
                if status == NATS_TIMEOUT {
                    if stallWatch.fetchedNothing(now: .now) && KeyValueWatch.isStalled(bucket, seen: lastSeen, &stallWatch) { return }
                    continue
                }
                guard status == NATS_OK else {
                    if status == NATS_ILLEGAL_STATE || status == NATS_INVALID_SUBSCRIPTION { return }
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
                stallWatch.delivered()
                if let entry {
                    let copy = KeyValueEntry(copying: entry)
                    lastSeen = Swift.max(lastSeen, copy.revision)
                    continuation.yield(.entry(copy))
                    kvEntry_Destroy(entry)
                } else {
                    continuation.yield(.caughtUp)
                }
            }
        }
        thread.name = "tollgate.kv-watch"
        thread.start()
        continuation.onTermination = { _ in state.stop() }
    }

    /// How long a watch may receive nothing before the bucket is read to see whether it moved on.
    static let stallPatience: Duration = .seconds(5)

    /// True when the bucket holds changes the watch has not received, at two looks: the watch ends
    /// (its owner, `BucketWatch`, opens a new one). Every change is a message of the bucket's stream
    /// and a watch receives each, so the stream's last message is the last one a live watch saw.
    private static func isStalled(_ bucket: KeyValueBucket, seen: UInt64, _ stallWatch: inout DeliveryStallWatch) -> Bool {
        // Disconnected, the answer could only be a timeout, holding this thread (and a stop) that long.
        guard bucket.isConnected, let stored = bucket.lastStoredSequence() else {
            stallWatch.unreadable(now: .now)
            return false
        }
        let state = DeliveryStallWatch.State(pending: stored > seen ? stored - seen : 0, deliveredSequence: seen)
        guard stallWatch.judge(state, now: .now) == .stalled else { return false }
        bucket.logger.warning(
            "a bucket watch receives nothing while the bucket has changed; watching it anew",
            metadata: ["bucket": "\(bucket.name)", "seen": "\(seen)", "stored": "\(stored)"])
        return true
    }

    public func makeAsyncIterator() -> AsyncStream<KeyValueUpdate>.Iterator {
        stream.makeAsyncIterator()
    }

    public func stop() { state.stop() }

    deinit { state.stop() }
}

/// The watcher is stopped by any thread but destroyed only by the thread reading it, once. Stopping
/// it deletes its consumer on the server: connected, a round trip, done at once (so it is gone before
/// the connection drains); with the server gone, a request that waits out JetStream's timeout, so
/// the stop only marks it and the reading thread, noticing within one read (500 ms), does it there
/// (on the stopping thread it held a service's shutdown 5 s per watch).
private final class WatcherState: @unchecked Sendable {
    private enum Phase {
        case running
        /// Marked stopped; libnats not yet told.
        case stopping
        case stopped
        case destroyed
    }
    private let watcher: OpaquePointer
    private let isConnected: @Sendable () -> Bool
    private let phase = Mutex<Phase>(.running)

    init(_ watcher: OpaquePointer, isConnected: @escaping @Sendable () -> Bool) {
        self.watcher = watcher
        self.isConnected = isConnected
    }

    var activeWatcher: UnsafeSendableHandle? {
        phase.withLock { $0 == .running ? UnsafeSendableHandle(watcher) : nil }
    }

    func stop() {
        let connected = isConnected()
        phase.withLock { phase in
            guard phase == .running else { return }
            if connected {
                kvWatcher_Stop(watcher)
                phase = .stopped
            } else {
                phase = .stopping
            }
        }
    }

    /// Called by the reading thread alone, when it is done reading.
    func destroy() {
        let before = phase.withLock { phase in
            defer { phase = .destroyed }
            return phase
        }
        guard before != .destroyed else { return }
        if before != .stopped { kvWatcher_Stop(watcher) }
        kvWatcher_Destroy(watcher)
    }
}

extension KeyValueEntry {
    init(copying entry: OpaquePointer) {
        key = String(cString: kvEntry_Key(entry))
        let length = Int(kvEntry_ValueLen(entry))
        if length > 0, let bytes = kvEntry_Value(entry) {
            value = Data(bytes: bytes, count: length)
        } else {
            value = Data()
        }
        revision = kvEntry_Revision(entry)
        switch kvEntry_Operation(entry) {
        case kvOp_Delete: operation = .delete
        case kvOp_Purge: operation = .purge
        default: operation = .put
        }
    }
}
