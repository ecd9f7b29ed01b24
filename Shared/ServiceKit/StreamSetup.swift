import TollgateContracts
import TollgateMessaging

/// Creates (or updates) Tollgate's JetStream streams. Every service that publishes or consumes calls
/// it at start, so start-up order does not matter.
public enum StreamSetup {
    public static func createStreams(_ jetStream: JetStream, subjects: Subjects) async throws {
        for settings in streams(subjects) {
            try await jetStream.createOrUpdateStream(settings)
        }
    }

    public static func streams(_ subjects: Subjects) -> [StreamSettings] {
        [
            StreamSettings(name: subjects.emailStream, subjects: [subjects.emailSubjects], maxAge: .seconds(7 * 86400)),
            StreamSettings(
                name: subjects.emailDeadStream, subjects: [subjects.emailDeadSubject], maxAge: .seconds(30 * 86400)),
            StreamSettings(name: subjects.stripeStream, subjects: [subjects.stripeSubjects], maxAge: .seconds(30 * 86400)),
            StreamSettings(name: subjects.usersStream, subjects: [subjects.usersSubjects], maxAge: .seconds(30 * 86400)),
        ]
    }
}
