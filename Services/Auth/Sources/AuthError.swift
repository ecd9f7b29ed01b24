import TollgateServiceKit

/// Auth's domain errors, mapped to the contract's statuses in one place.
enum AuthError: Error, Equatable {
    case emailTaken
    case usernameTaken
    case invalidCredentials
    case inactiveAccount
    case userNotFound
    case tooManyAttempts(retryAfterSeconds: Int)

    var failure: HTTPFailure {
        switch self {
        case .emailTaken: HTTPFailure(400, "Email already exists")
        case .usernameTaken: HTTPFailure(400, "Username already exists")
        case .invalidCredentials:
            HTTPFailure(401, "Invalid email or password", headers: [("WWW-Authenticate", "Bearer")])
        case .inactiveAccount: HTTPFailure(403, "User is disabled")
        case .userNotFound: HTTPFailure(401, "Not authenticated", headers: [("WWW-Authenticate", "Bearer")])
        case .tooManyAttempts(let seconds):
            HTTPFailure(
                429, "Too many failed sign-in attempts for this account; try again later",
                headers: [("Retry-After", String(seconds))])
        }
    }
}
