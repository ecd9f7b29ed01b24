import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// The emails that tell a user about a change to their account's security ("password changed",
/// "new sign-in"), queued in the caller's transaction.
struct SecurityEmails: Sendable {
    let outbox: EmailOutbox
    let relay: OutboxRelay
    /// `TOLLGATE_NEW_SIGN_IN_EMAIL`: tell users about every sign-in.
    let newSignInEnabled: Bool

    func passwordChanged(email: String, username: String, request: ServiceRequest?, on db: any Database) async throws {
        try await outbox.enqueue(
            EmailCommand.passwordChanged(
                to: email, username: username, when: EmailDates.moment(Date()), ip: request?.clientIP ?? "unknown"),
            on: db)
    }

    func newSignIn(email: String, username: String, request: ServiceRequest, on db: any Database) async throws {
        guard newSignInEnabled else { return }
        try await outbox.enqueue(
            EmailCommand.newSignIn(
                to: email, username: username, when: EmailDates.moment(Date()), ip: request.clientIP ?? "unknown",
                device: request.userAgent.map { String($0.prefix(120)) } ?? "unknown device"),
            on: db)
    }

    /// Sends what the caller's committed transaction queued.
    func wake() { relay.wakeUp() }
}
