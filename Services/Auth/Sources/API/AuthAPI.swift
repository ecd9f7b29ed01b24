import TollgateContracts
import TollgateServiceKit

/// What each of Auth's endpoints reads and answers, for the API document. The gateway adds what it
/// answers itself (401, 403 for admins, 402 for a plan tier, 413, 415, 429, 503, 504).
enum AuthAPI {
    static let signedIn = Answer.json(200, TokenAnswers.SignedIn.self, "Signed in: the access token, the user, and the refresh cookie", headers: ["Set-Cookie"])
    static let disabled = Answer.error(403, "User is disabled")
    static let throttled = Answer.error(429, "Too many failed attempts for this account; try again later", headers: ["Retry-After"])
    static let userGone = Answer.error(404, "User not found")

    static let register = EndpointShape(
        body: RegisterRequest.self,
        answers: [
            .json(201, UserResponse.self, "The account was created"), .error(400, "Email already exists / Username already exists"),
            .validation,
        ])
    static let login = EndpointShape(
        body: LoginRequest.self,
        answers: [signedIn, .error(401, "Invalid email or password"), disabled, throttled, .validation])
    static let refresh = EndpointShape(
        query: [.string("token", "The refresh token, for clients of the starter's later versions (`TOLLGATE_STARTER_REFRESH_COMPAT`)")],
        body: SessionHandlers.RefreshBody.self,
        answers: [
            .json(200, TokenAnswers.Refreshed.self, "A new access token and the rotated refresh cookie", headers: ["Set-Cookie"]),
            .error(401, "Invalid token / Refresh token missing"), .validation,
        ])
    static let me = EndpointShape(answers: [.json(200, UserResponse.self, "The signed-in user"), userGone])
    static let profileGet = EndpointShape(answers: [
        .json(200, ProfileHandlers.ProfileView.self, "The profile; unset fields are null"), .error(404, "Profile not found"),
    ])
    static let profileUpdate = EndpointShape(
        body: ProfileHandlers.ProfilePatch.self,
        answers: [
            .json(200, ProfileHandlers.ProfileView.self, "The profile after the change; a missing field is kept, null clears it"),
            .error(404, "Profile not found"), .validation,
        ])
    static let logout = EndpointShape(answers: [.message(200, "Logged out.", headers: ["Set-Cookie"])])
    static let logoutAll = EndpointShape(answers: [.message(200, "Logged out of every session.", headers: ["Set-Cookie"])])
    static let deactivate = EndpointShape(answers: [.message(202, "User deactivated.", headers: ["Set-Cookie"]), userGone])
    static let requestVerify = EndpointShape(answers: [
        .message(202, "New Verification Email has been sent / Email is already Verified"), userGone,
    ])
    static let verify = EndpointShape(
        query: [.string("token", required: true, "The token from the verification email")],
        answers: [.message(202, "Email is Verified / Email is already Verified"), .error(400, "Invalid or expired token")])
    static let forgetPassword = EndpointShape(
        body: MailOnRequest.Body.self,
        answers: [.message(202, "The same answer whether or not the account exists"), .validation])
    static let newPassword = EndpointShape(
        body: PasswordResetHandlers.NewPasswordBody.self,
        answers: [.message(202, "Password has been changed successfully"), .error(400, "Invalid or expired token"), .validation])
    static let requestLoginCode = EndpointShape(
        body: MailOnRequest.Body.self,
        answers: [.message(200, "If an account exists for this email, a login code has been sent."), .validation])
    static let loginCode = EndpointShape(
        body: LoginCodeHandlers.LoginBody.self,
        answers: [signedIn, .error(400, "Invalid code or email."), disabled, throttled, .validation])
    static let changePassword = EndpointShape(
        body: ChangePasswordHandler.Body.self,
        answers: [
            .message(200, "Password has been changed successfully"), .error(403, "Old password isn't correct."), userGone,
            .validation,
        ])
    static let sessions = EndpointShape(answers: [
        .json(200, [SessionListHandlers.SessionView].self, "The user's open sessions, newest first"),
    ])
    static let sessionDelete = EndpointShape(answers: [.empty(204, "The session ended"), .error(404, "Session not found")])

    static let socialLogin = EndpointShape(
        query: [.string("return_to", "Where to send the browser after signing in (an allowed frontend URL)")],
        answers: [
            .empty(307, "To the provider's sign-in page", headers: ["Location", "Set-Cookie"]),
            .error(404, "Sign-in with this provider is not configured"), .error(400, "return_to is not an allowed URL"),
            .error(502, "The sign-in provider cannot be reached; try again later"),
        ])
    static let socialCallback = EndpointShape(
        query: [
            .string("code", "The provider's authorization code"), .string("state", "The state the sign-in started with"),
            .string("error", "The provider's error, when the user refused"),
        ],
        answers: [
            signedIn, .empty(303, "Back to `return_to`, signed in (the refresh cookie only)", headers: ["Location", "Set-Cookie"]),
            .error(400, "Invalid OAuth callback / Invalid OAuth state / <Provider> authentication failed"),
            .error(404, "Sign-in with this provider is not configured"), disabled,
            .error(502, "The sign-in provider cannot be reached; try again later"),
        ])
    static let identities = EndpointShape(answers: [
        .json(200, [IdentityHandlers.Linked].self, "The sign-in providers linked to the account"),
    ])
    static let identityDelete = EndpointShape(answers: [
        .empty(204, "Unlinked"), .error(404, "No such sign-in is linked to this account"),
        .error(400, "This is the only way to sign in to this account; set a password first"),
    ])
    static let jwks = EndpointShape(answers: [.json(200, JWKSHandler.KeySet.self, "The Ed25519 public keys (JWK set)")])

    static let adminStats = EndpointShape(answers: [.json(200, AdminUserHandlers.Stats.self, "Counts of users, subscriptions and payments")])
    static let adminUsersList = EndpointShape(
        query: PageRequest.queryParameters + [
            .boolean("is_active", "Only active (true) or deactivated (false) users"),
            .boolean("is_verified", "Only verified or unverified users"), .boolean("is_admin", "Only administrators or others"),
            .string("q", "Search emails and usernames"),
        ],
        answers: [.json(200, Page<AdminUserResponse>.self, "A page of users, newest first"), .validation])
    static let adminUsersGet = EndpointShape(answers: [
        .json(200, AdminUserHandlers.Detail.self, "The user with counts from Billing"), userGone, .validation,
    ])
    static let adminUsersStatus = EndpointShape(
        body: AdminUserHandlers.StatusChange.self,
        answers: [
            .json(200, AdminUserResponse.self, "The user after the change"), .error(400, "You cannot deactivate your own account"),
            userGone, .validation,
        ])
    static let adminUsersRole = EndpointShape(
        body: AdminUserHandlers.RoleChange.self,
        answers: [
            .json(200, AdminUserResponse.self, "The user after the change"), .error(400, "You cannot remove your own admin role"),
            userGone, .validation,
        ])
    static let adminUsersVerify = EndpointShape(answers: [
        .json(200, AdminUserResponse.self, "The user, verified"), userGone, .validation,
    ])
    static let adminAudit = EndpointShape(
        query: PageRequest.queryParameters + [
            .string("user_id", "Only entries about this user"), .string("action", "Only entries of this action (`user.status`, …)"),
        ],
        answers: [.json(200, Page<AuditEntry>.self, "A page of audit entries from Auth and Billing, newest first"), .validation])
}
