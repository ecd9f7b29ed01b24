import TollgatePersistence
import TollgateServiceKit

/// `POST /request/verify` and `GET /verify?token=…`.
struct VerificationHandlers: Sendable {
    /// The starter's words, capital V included.
    static let alreadyVerified = "Email is already Verified"

    let verification: EmailVerification
    let users: UserDirectory
    let relay: OutboxRelay

    func request(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        switch try await verification.resend(to: principal.userID, request: request) {
        case nil: throw AuthError.userNotFound.failure
        case .alreadyVerified: return .message(202, Self.alreadyVerified)
        default:
            relay.wakeUp()
            return .message(202, "New Verification Email has been sent")
        }
    }

    func verify(_ request: ServiceRequest) async throws -> ServiceResponse {
        guard let token = request.query["token"], !token.isEmpty, token.utf8.count <= 256 else {
            throw HTTPFailure(400, "Invalid or expired token")
        }
        let (outcome, userID) = try await verification.verify(token: token)
        if let userID { users.changed(userID) }
        switch outcome {
        case .verified: return .message(202, "Email is Verified")
        case .alreadyVerified: return .message(202, Self.alreadyVerified)
        case .invalidToken: throw HTTPFailure(400, "Invalid or expired token")
        }
    }
}
