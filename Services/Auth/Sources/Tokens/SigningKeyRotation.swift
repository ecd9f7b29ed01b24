import Foundation
import Logging
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateServiceKit

/// `tollgate-auth rotate-key`: a new key in the key folder, published to the gateways before any
/// Auth instance signs with it; keys retired longer than the access-token lifetime are withdrawn.
public struct SigningKeyRotation: Sendable {
    public struct Result: Sendable {
        public let activeKid: String
        public let withdrawn: [String]
    }

    /// Time for every gateway's bucket watch to see the new key before tokens carry it.
    static let propagationDelay: Duration = .seconds(1)

    let config: AuthConfig
    let logger: Logger

    public init(config: AuthConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    public func run() async throws -> Result {
        let subjects = Subjects(prefix: config.common.prefix)
        let retention = config.accessTokenLifetime + .seconds(60)
        let (kept, withdrawn) = try SigningKeyStore(directory: config.keysDirectory).rotate(retention: retention)
        guard let active = kept.last else { throw SigningKeyError(message: "rotation left no key") }

        let connection = try await ServiceRuntime.connect(
            config: config.common, identity: .authCLI, name: "tollgate-auth rotate-key", logger: logger)
        // The bucket is Auth's (made at its first start); this command may only write its keys.
        let publisher = JWKSPublisher(bucket: try await connection.jetStream().existingKeyValue(subjects.jwksBucket))
        try await publisher.publish(kept)
        try await Task.sleep(for: Self.propagationDelay)
        try connection.publish(subjects.authKeysChanged, payload: Data(active.kid.utf8))
        try await publisher.withdraw(withdrawn)
        await connection.drain()

        let database = try await ServiceDatabase.open(url: config.databaseURL, migrations: AuthMigrations.all, logger: logger)
        try? await AuditLog(database: database).record(
            .keyRotated, userID: nil, request: nil, detail: "kid=\(active.kid) withdrawn=\(withdrawn.count)")
        await database.shutdown()
        return Result(activeKid: active.kid, withdrawn: withdrawn)
    }
}
