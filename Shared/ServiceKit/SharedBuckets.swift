import TollgateContracts
import TollgateMessaging

/// The key-value buckets several services open, with their settings in one place so that every
/// opener creates them alike.
public enum SharedBuckets {
    /// Public signing keys, by `kid` (written by Auth, read by gateways).
    public static func jwks(_ subjects: Subjects) -> KeyValueSettings {
        KeyValueSettings(bucket: subjects.jwksBucket)
    }

    /// Revoked users and sessions. An entry only needs to outlive the access tokens it refuses; the
    /// TTL covers the longest lifetime Auth accepts (24 h) plus clock leeway.
    public static func revocations(_ subjects: Subjects) -> KeyValueSettings {
        KeyValueSettings(bucket: subjects.revocationsBucket, ttl: .seconds(86_400 + 60))
    }

    /// Each user's current plan tier and access end (written by Billing, read by gateways).
    public static func entitlements(_ subjects: Subjects) -> KeyValueSettings {
        KeyValueSettings(bucket: subjects.entitlementsBucket)
    }
}
