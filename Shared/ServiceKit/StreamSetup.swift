import Logging
import TollgateContracts
import TollgateMessaging

/// Tollgate's JetStream streams and who owns each: a stream is created (or brought to these
/// settings) by its owner alone, at start, since only the owner may; everyone else publishes or
/// reads what its owner made, and until then gets "no responders" and retries.
public enum StreamSetup {
    /// Creates or updates each stream, logging what an update changed. On a cluster whose servers
    /// are still electing a leader, or when several instances set the same streams up at once, an
    /// attempt can time out or find JetStream briefly unavailable: it is made again, for up to
    /// `patience`, rather than ending the start.
    public static func createStreams(
        _ streams: [StreamSettings], on jetStream: JetStream, patience: Duration = .seconds(60)
    ) async throws {
        for settings in streams {
            let changes = try await retryingWhileUnavailable("stream \(settings.name)", on: jetStream, patience: patience) { () async throws(NatsError) -> [String] in
                try await jetStream.createOrUpdateStream(settings)
            }
            if !changes.isEmpty {
                jetStream.connection.logger.notice(
                    "stream brought to its settings", metadata: ["stream": "\(settings.name)", "changes": "\(changes)"])
            }
        }
    }

    /// Opens (creating or updating) a bucket this service owns, with the same patience as streams.
    public static func openBucket(
        _ settings: KeyValueSettings, on jetStream: JetStream, patience: Duration = .seconds(60)
    ) async throws -> KeyValueBucket {
        try await retryingWhileUnavailable("bucket \(settings.bucket)", on: jetStream, patience: patience) { () async throws(NatsError) -> KeyValueBucket in
            try await jetStream.keyValue(settings)
        }
    }

    /// Runs `body` again while the error is transient (`NatsError.isTransient`) or JetStream lacks
    /// the servers for the replicas asked (10005 no suitable peers, 10023 insufficient resources: a
    /// server still starting), until `patience` runs out.
    static func retryingWhileUnavailable<Value>(
        _ what: String, on jetStream: JetStream, patience: Duration, _ body: () async throws(NatsError) -> Value
    ) async throws -> Value {
        let deadline = ContinuousClock.now + patience
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await body()
            } catch {
                let passing = error.isTransient || error.message.contains("[jetstream error 10005]")
                    || error.message.contains("[jetstream error 10023]")
                guard passing, ContinuousClock.now < deadline else { throw error }
                jetStream.connection.logger.warning(
                    "JetStream not ready; trying again", metadata: ["what": "\(what)", "attempt": "\(attempts)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...800)))
            }
        }
    }

    /// Auth owns USERS; Billing owns STRIPE (it consumes it); the Notifier owns EMAIL and EMAIL_DEAD.
    public static func owned(by service: ServiceName, _ subjects: Subjects, _ replication: Replication) -> [StreamSettings] {
        switch service {
        case .auth:
            [
                StreamSettings(
                    name: subjects.usersStream, subjects: [subjects.usersSubjects], maxAge: .seconds(30 * 86400),
                    replicas: replication.replicas, placementTags: replication.placementTags)
            ]
        case .billing:
            [
                StreamSettings(
                    name: subjects.stripeStream, subjects: [subjects.stripeSubjects], maxAge: .seconds(30 * 86400),
                    replicas: replication.replicas, placementTags: replication.placementTags)
            ]
        case .notifier:
            [
                StreamSettings(
                    name: subjects.emailStream, subjects: [subjects.emailSubjects], maxAge: .seconds(7 * 86400),
                    replicas: replication.replicas, placementTags: replication.placementTags),
                StreamSettings(
                    name: subjects.emailDeadStream, subjects: [subjects.emailDeadSubject], maxAge: .seconds(30 * 86400),
                    replicas: replication.replicas, placementTags: replication.placementTags),
            ]
        case .gateway, .webhook:
            []
        }
    }
}
