import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// The dead-letter stream: emails the Notifier gave up on, with the reason, kept for an operator
/// to read (`tollgate-notifier dead-letters list`) and send again (`… retry ID`).
public struct DeadLetters: Sendable {
    let jetStream: JetStream
    let subjects: Subjects

    public init(jetStream: JetStream, subjects: Subjects) {
        self.jetStream = jetStream
        self.subjects = subjects
    }

    /// Stored once per message id, however often it is called.
    func add(_ letter: DeadLetter) async throws {
        _ = try await jetStream.publish(
            subjects.emailDeadSubject, payload: try JSONCoding.encoder.encode(letter), messageID: letter.messageID)
    }

    public func list() async throws -> [(sequence: UInt64, letter: DeadLetter)] {
        try await jetStream.storedMessages(in: subjects.emailDeadStream).compactMap { stored in
            (try? JSONCoding.decoder.decode(DeadLetter.self, from: stored.message.payload)).map { (stored.sequence, $0) }
        }
    }

    /// Puts the email back on the `EMAIL` stream (under a new message id, so neither the stream's
    /// duplicate window nor the delivery log mistakes it for the original) and removes the letter.
    /// False when no letter has this message id.
    public func retry(messageID: String, now: Date = Date()) async throws -> Bool {
        guard let (sequence, letter) = try await list().first(where: { $0.letter.messageID == messageID }) else {
            return false
        }
        _ = try await jetStream.publish(
            subjects.email(letter.command.template), payload: try JSONCoding.encoder.encode(letter.command),
            messageID: "\(messageID).retry-\(Int(now.timeIntervalSince1970))")
        try await jetStream.deleteMessage(in: subjects.emailDeadStream, sequence: sequence)
        return true
    }
}
