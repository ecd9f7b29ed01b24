/// The Auth service's HTTP endpoints.
public enum AuthEndpoints {
    public static let register = Endpoint(
        "POST", "/register", subject: "auth.register", access: .public, rateLimit: "credentials",
        summary: "Create an account and sign in")
    public static let login = Endpoint(
        "POST", "/login", subject: "auth.login", access: .public, rateLimit: "credentials",
        summary: "Sign in with email or username and password")
    public static let refresh = Endpoint(
        "POST", "/refresh-token", subject: "auth.refresh", access: .public, rateLimit: "refresh", refreshCookie: true,
        summary: "Exchange the refresh cookie for new tokens")
    public static let me = Endpoint(
        "GET", "/me", subject: "auth.me", access: .user, rateLimit: "authenticated", summary: "The signed-in user")
    public static let profileGet = Endpoint(
        "GET", "/me/profile", subject: "auth.profile.get", access: .user, rateLimit: "authenticated",
        summary: "The signed-in user's profile")
    public static let profileUpdate = Endpoint(
        "PATCH", "/me/profile", subject: "auth.profile.update", access: .user, rateLimit: "authenticated",
        summary: "Change the profile")
    public static let logout = Endpoint(
        "POST", "/logout", subject: "auth.logout", access: .user, rateLimit: "authenticated", refreshCookie: true,
        summary: "End this session")
    public static let logoutAll = Endpoint(
        "POST", "/logout-all", subject: "auth.logout-all", access: .user, rateLimit: "authenticated",
        refreshCookie: true, summary: "End every session of the user")
    public static let deactivate = Endpoint(
        "POST", "/deactivate", subject: "auth.deactivate", access: .user, rateLimit: "authenticated",
        summary: "Deactivate the account")
    public static let requestVerify = Endpoint(
        "POST", "/request/verify", subject: "auth.request-verify", access: .user, rateLimit: "credentials",
        summary: "Send a new verification email")
    public static let verify = Endpoint(
        "GET", "/verify", subject: "auth.verify", access: .public, rateLimit: "credentials",
        summary: "Verify the email address with the emailed token")
    public static let forgetPassword = Endpoint(
        "POST", "/forget-password", subject: "auth.forget-password", access: .public, rateLimit: "credentials",
        summary: "Email a password reset link")
    public static let newPassword = Endpoint(
        "POST", "/new-password", subject: "auth.new-password", access: .public, rateLimit: "credentials",
        summary: "Set a new password with the reset token")
    public static let requestLoginCode = Endpoint(
        "POST", "/request/login-code", subject: "auth.request-login-code", access: .public, rateLimit: "credentials",
        summary: "Email a sign-in code")
    public static let loginCode = Endpoint(
        "POST", "/login/code", subject: "auth.login-code", access: .public, rateLimit: "credentials",
        summary: "Sign in with an emailed code")
    public static let changePassword = Endpoint(
        "POST", "/change-password", subject: "auth.change-password", access: .user, rateLimit: "credentials",
        summary: "Change the password")
    public static let sessions = Endpoint(
        "GET", "/sessions", subject: "auth.sessions.list", access: .user, rateLimit: "authenticated",
        summary: "The user's open sessions")
    public static let sessionDelete = Endpoint(
        "DELETE", "/sessions/{session_id}", subject: "auth.sessions.delete", access: .user, rateLimit: "authenticated",
        summary: "End one session")
    public static let googleLogin = Endpoint(
        "GET", "/google/login", subject: "auth.social.google.login", access: .public, rateLimit: "credentials",
        summary: "Start signing in with Google")
    public static let googleCallback = Endpoint(
        "GET", "/auth/social/callback/google", subject: "auth.social.google.callback", access: .public,
        rateLimit: "credentials", summary: "Google's redirect back")
    public static let gitHubLogin = Endpoint(
        "GET", "/github/login", subject: "auth.social.github.login", access: .public, rateLimit: "credentials",
        summary: "Start signing in with GitHub")
    public static let gitHubCallback = Endpoint(
        "GET", "/auth/social/callback/github", subject: "auth.social.github.callback", access: .public,
        rateLimit: "credentials", summary: "GitHub's redirect back")
    public static let oidcLogin = Endpoint(
        "GET", "/oidc/{provider}/login", subject: "auth.oidc.login", access: .public, rateLimit: "credentials",
        summary: "Start signing in with a configured OpenID Connect provider")
    public static let oidcCallback = Endpoint(
        "GET", "/oidc/{provider}/callback", subject: "auth.oidc.callback", access: .public, rateLimit: "credentials",
        summary: "The OpenID Connect provider's redirect back")
    public static let identities = Endpoint(
        "GET", "/me/identities", subject: "auth.identities.list", access: .user, rateLimit: "authenticated",
        summary: "The sign-in providers linked to the account")
    public static let identityDelete = Endpoint(
        "DELETE", "/me/identities/{provider}", subject: "auth.identities.delete", access: .user,
        rateLimit: "authenticated", summary: "Unlink a sign-in provider")
    public static let jwks = Endpoint(
        "GET", "/.well-known/jwks.json", subject: "auth.jwks", access: .public, rateLimit: "public",
        summary: "The public keys that verify access tokens")
    public static let adminStats = Endpoint(
        "GET", "/dashboard/stats", subject: "auth.admin.stats", access: .admin, rateLimit: "authenticated",
        summary: "Counts for the admin dashboard")
    public static let adminUsersList = Endpoint(
        "GET", "/users", subject: "auth.admin.users.list", access: .admin, rateLimit: "authenticated",
        summary: "List users")
    public static let adminUsersGet = Endpoint(
        "GET", "/users/{user_id}", subject: "auth.admin.users.get", access: .admin, rateLimit: "authenticated",
        summary: "One user")
    public static let adminUsersStatus = Endpoint(
        "PATCH", "/users/{user_id}/status", subject: "auth.admin.users.status", access: .admin,
        rateLimit: "authenticated", summary: "Activate or deactivate a user")
    public static let adminUsersRole = Endpoint(
        "PATCH", "/users/{user_id}/role", subject: "auth.admin.users.role", access: .admin, rateLimit: "authenticated",
        summary: "Change a user's role")
    public static let adminUsersVerify = Endpoint(
        "PATCH", "/users/{user_id}/verify", subject: "auth.admin.users.verify", access: .admin,
        rateLimit: "authenticated", summary: "Mark a user's email verified")
    public static let adminAudit = Endpoint(
        "GET", "/admin/audit", subject: "auth.admin.audit", access: .admin, rateLimit: "authenticated",
        summary: "The audit log of Auth and Billing")

    public static let all: [Endpoint] = [
        register, login, refresh, me, profileGet, profileUpdate, logout, logoutAll, deactivate, requestVerify, verify,
        forgetPassword, newPassword, requestLoginCode, loginCode, changePassword, sessions, sessionDelete,
        googleLogin, googleCallback, gitHubLogin, gitHubCallback, oidcLogin, oidcCallback, identities, identityDelete,
        jwks, adminStats, adminUsersList, adminUsersGet, adminUsersStatus, adminUsersRole, adminUsersVerify, adminAudit,
    ]
}
