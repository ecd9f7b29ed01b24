import TollgateContracts
import TollgateMessaging

/// Tollgate's JetStream streams and who owns each: a stream is created (or brought to these
/// settings) by its owner alone, at start, since only the owner may; everyone else publishes or
/// reads what its owner made, and until then gets "no responders" and retries.
public enum StreamSetup {
    public static func createStreams(_ streams: [StreamSettings], on jetStream: JetStream) async throws {
        for settings in streams {
            try await jetStream.createOrUpdateStream(settings)
        }
    }

    /// Auth owns USERS; Billing owns STRIPE (it consumes it); the Notifier owns EMAIL and EMAIL_DEAD.
    public static func owned(by service: ServiceName, _ subjects: Subjects) -> [StreamSettings] {
        switch service {
        case .auth:
            [StreamSettings(name: subjects.usersStream, subjects: [subjects.usersSubjects], maxAge: .seconds(30 * 86400))]
        case .billing:
            [StreamSettings(name: subjects.stripeStream, subjects: [subjects.stripeSubjects], maxAge: .seconds(30 * 86400))]
        case .notifier:
            [
                StreamSettings(name: subjects.emailStream, subjects: [subjects.emailSubjects], maxAge: .seconds(7 * 86400)),
                StreamSettings(
                    name: subjects.emailDeadStream, subjects: [subjects.emailDeadSubject], maxAge: .seconds(30 * 86400)),
            ]
        case .gateway, .webhook:
            []
        }
    }
}
