import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// The dead-letter stream: emails the Notifier gave up on, with the reason, kept for an operator
/// to read (`tollgate-notifier dead-letters list`) and have sent again (`… retry ID`).
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

    enum RetryOutcome: Equatable {
        case delivered
        case notFound
        /// Its command held a one-time secret, which dead letters never keep.
        case secretNotKept
        case failed(String)
    }

    /// Sends the letter's email again now (under a new message id, so that the delivery log does
    /// not take it for the original) and, once the server accepted it, removes the letter.
    func retry(messageID: String, with delivery: EmailDelivery, now: Date = Date()) async throws -> RetryOutcome {
        guard let (sequence, letter) = try await list().first(where: { $0.letter.messageID == messageID }) else {
            return .notFound
        }
        guard let command = letter.command else { return .secretNotKept }
        do {
            try await delivery.send(command, messageID: "\(messageID).retry-\(Int(now.timeIntervalSince1970))") { _ in }
        } catch {
            return .failed("\(error)")
        }
        try await jetStream.eraseMessage(in: subjects.emailDeadStream, sequence: sequence)
        return .delivered
    }
}
