import FluentKit
import Foundation
import TollgateContracts
import TollgateSecurity

/// Puts an email command in the outbox, sealed for the Notifier, in the caller's transaction: the
/// row, the stream message and everything between hold only ciphertext, so a reset link or a
/// sign-in code can be read by no one but the Notifier.
public struct EmailOutbox: Sendable {
    let subjects: Subjects
    let sealer: EmailSealer

    public init(subjects: Subjects, sealer: EmailSealer) {
        self.subjects = subjects
        self.sealer = sealer
    }

    public func enqueue(_ command: EmailCommand, on database: any Database) async throws {
        let subject = subjects.email(command.template)
        try await OutboxMessage.enqueue(subject: subject, data: try sealer.seal(command, subject: subject), on: database)
    }
}
