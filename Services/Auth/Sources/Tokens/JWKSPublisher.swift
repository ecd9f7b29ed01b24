import Foundation
import Logging
import TollgateContracts
import TollgateMessaging

/// Publishes every public signing key to the JWKS bucket, where gateways read them.
public struct JWKSPublisher: Sendable {
    let bucket: KeyValueBucket

    public init(bucket: KeyValueBucket) {
        self.bucket = bucket
    }

    public func publish(_ keys: [SigningKey]) async throws {
        for key in keys {
            try await bucket.put(key.kid, JSONEncoder().encode(key.publicJWK()))
        }
    }

    /// Withdraws retired keys: gateways stop accepting tokens they signed.
    public func withdraw(_ kids: [String]) async throws {
        for kid in kids { try await bucket.delete(kid) }
    }
}
