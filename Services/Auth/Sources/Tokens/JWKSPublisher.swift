import Foundation
import Logging
import TollgateContracts
import TollgateMessaging

/// Publishes every public signing key to the JWKS bucket, where gateways read them.
public struct JWKSPublisher: Sendable {
    let bucket: KeyValueBucket

    public func publish(_ keys: [SigningKey]) async throws {
        for key in keys {
            try await bucket.put(key.kid, JSONEncoder().encode(key.publicJWK()))
        }
    }
}
