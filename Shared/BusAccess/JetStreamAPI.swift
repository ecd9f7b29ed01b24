import TollgateContracts

/// The JetStream API subjects an identity needs for one job on one stream or bucket: each is
/// granted alone, so an identity that may read a bucket cannot write it, and one that may consume
/// a stream cannot create consumers on another.
enum JetStreamAPI {
    /// Create a stream, or bring an existing one to the settings wanted.
    static func manageStream(_ stream: String) -> [String] {
        ["$JS.API.STREAM.CREATE.\(stream)", "$JS.API.STREAM.UPDATE.\(stream)", "$JS.API.STREAM.INFO.\(stream)"]
    }

    /// Read a small stream message by message (the dead letters).
    static func readStream(_ stream: String) -> [String] {
        ["$JS.API.STREAM.INFO.\(stream)", "$JS.API.STREAM.MSG.GET.\(stream)"]
    }

    /// Remove (and overwrite) single messages of a stream.
    static func deleteMessages(_ stream: String) -> [String] {
        ["$JS.API.STREAM.MSG.DELETE.\(stream)"]
    }

    /// Create, bind to and pull from one durable consumer, and settle what it hands out; move its
    /// leadership when it stalls (`DeliveryStallWatch`).
    static func consume(_ stream: String, durable: String) -> [String] {
        [
            "$JS.API.CONSUMER.CREATE.\(stream).\(durable)", "$JS.API.CONSUMER.CREATE.\(stream).\(durable).>",
            "$JS.API.CONSUMER.DURABLE.CREATE.\(stream).\(durable)", "$JS.API.CONSUMER.INFO.\(stream).\(durable)",
            "$JS.API.CONSUMER.MSG.NEXT.\(stream).\(durable)", "$JS.ACK.\(stream).\(durable).>",
            "$JS.API.CONSUMER.LEADER.STEPDOWN.\(stream).\(durable)",
        ]
    }

    /// Create a key-value bucket (or find it made) and write its keys.
    static func writeBucket(_ bucket: String) -> [String] {
        manageStream(Subjects.streamName(ofBucket: bucket)) + writeKeys(bucket)
    }

    /// Find a bucket someone else made, and write its keys.
    static func writeKeys(_ bucket: String) -> [String] {
        ["$JS.API.STREAM.INFO.\(Subjects.streamName(ofBucket: bucket))", "$KV.\(bucket).>"]
    }

    /// Find a bucket and watch every key (an ordered consumer of its own, with flow control).
    /// libnats finds the watch's stream by its subject (`STREAM.NAMES`): stream names, no content.
    static func watchBucket(_ bucket: String) -> [String] {
        let stream = Subjects.streamName(ofBucket: bucket)
        return [
            "$JS.API.STREAM.NAMES", "$JS.API.STREAM.INFO.\(stream)", "$JS.API.CONSUMER.CREATE.\(stream)", "$JS.API.CONSUMER.CREATE.\(stream).>",
            "$JS.API.CONSUMER.DELETE.\(stream).>", "$JS.FC.\(stream).>",
        ]
    }
}
