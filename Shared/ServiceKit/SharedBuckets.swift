import TollgateContracts
import TollgateMessaging

/// The key-value buckets several services open, with their settings in one place so that every
/// opener creates them alike.
public enum SharedBuckets {
    /// Public signing keys, by `kid` (written by Auth, read by gateways).
    public static func jwks(_ subjects: Subjects, _ replication: Replication = .single) -> KeyValueSettings {
        KeyValueSettings(bucket: subjects.jwksBucket, replicas: replication.replicas, placementTags: replication.placementTags)
    }

    /// Revoked users and sessions. An entry only needs to outlive the access tokens it refuses; the
    /// TTL covers the longest lifetime Auth accepts (24 h) plus clock leeway.
    public static func revocations(_ subjects: Subjects, _ replication: Replication = .single) -> KeyValueSettings {
        KeyValueSettings(
            bucket: subjects.revocationsBucket, ttl: .seconds(86_400 + 60), replicas: replication.replicas,
            placementTags: replication.placementTags)
    }

    /// Each user's current plan tier and access end (written by Billing, read by gateways).
    public static func entitlements(_ subjects: Subjects, _ replication: Replication = .single) -> KeyValueSettings {
        KeyValueSettings(bucket: subjects.entitlementsBucket, replicas: replication.replicas, placementTags: replication.placementTags)
    }

    /// Each gateway instance's count of calls against plan quotas, per user and billing period. A
    /// count must outlive its period, however long a plan's interval is (Stripe allows three years),
    /// and a period's keys are written from its first call on: kept three years and a month.
    public static func usage(_ subjects: Subjects, _ replication: Replication = .single) -> KeyValueSettings {
        KeyValueSettings(
            bucket: subjects.usageBucket, ttl: .seconds(1_125 * 86_400), replicas: replication.replicas,
            placementTags: replication.placementTags)
    }

    /// The buckets a token is judged by (signing keys, revocations), by name.
    public static func judgingTokens(_ subjects: Subjects) -> [String] {
        [subjects.jwksBucket, subjects.revocationsBucket]
    }

    /// Every bucket a gateway reads, by name.
    public static func readByGateways(_ subjects: Subjects) -> [String] {
        [subjects.jwksBucket, subjects.revocationsBucket, subjects.entitlementsBucket, subjects.usageBucket]
    }
}
