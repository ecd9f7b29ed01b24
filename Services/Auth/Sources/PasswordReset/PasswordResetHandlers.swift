import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `POST /forget-password` and `POST /new-password`.
struct PasswordResetHandlers: Sendable {
    let reset: PasswordReset
    let users: UserDirectory
    let revocations: RevocationOutbox
    let mailOnRequest: MailOnRequest

    struct NewPasswordBody: Codable {
        let token: String
        let password: String
    }

    func forget(_ request: ServiceRequest) async throws -> ServiceResponse {
        try await mailOnRequest.answer(
            request, .message(202, "If an account exists for this email, a password reset link has been sent.")
        ) { email in try await reset.request(email: email, from: request) }
    }

    func newPassword(_ request: ServiceRequest) async throws -> ServiceResponse {
        let body = try request.decode(NewPasswordBody.self)
        guard !body.token.isEmpty, body.token.utf8.count <= 256 else { throw HTTPFailure(400, "Invalid or expired token") }
        switch try await reset.complete(token: body.token, password: body.password, from: request) {
        case .invalidToken:
            throw HTTPFailure(400, "Invalid or expired token")
        case .reset(let userID, _):
            users.changed(userID)
            reset.emails.wake()
            await revocations.deliver()
            return .message(202, PasswordChange.succeeded)
        }
    }
}
