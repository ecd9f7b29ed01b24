import TollgateConfig

/// How many servers keep each stream and bucket, and which (`TOLLGATE_JETSTREAM_REPLICAS`,
/// `TOLLGATE_JETSTREAM_PLACEMENT_TAGS`), as the services that create them read it.
public struct Replication: Sendable, Equatable {
    public let replicas: Int
    public let placementTags: [String]

    public init(replicas: Int = 1, placementTags: [String] = []) {
        self.replicas = replicas
        self.placementTags = placementTags
    }

    /// One copy, on any server: a single nats-server.
    public static let single = Replication()
}

extension CommonConfig {
    public var replication: Replication {
        Replication(replicas: jetStreamReplicas, placementTags: jetStreamPlacementTags)
    }
}
