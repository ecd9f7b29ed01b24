import TollgateServiceKit

/// The answers that hand out tokens (sign-ins and refreshes): their bodies, the refresh cookie, and
/// `TOLLGATE_STARTER_REFRESH_COMPAT`, which also puts the refresh token in the body for clients of
/// the starter's later versions.
struct TokenAnswers: Sendable {
    let cookie: RefreshCookie
    let refreshTokenInBody: Bool

    /// `{token, type: "Bearer", user}` (+ `refresh_token` in compat mode) and the cookie.
    struct SignedIn: Encodable {
        let token: String
        let type = "Bearer"
        let user: UserResponse
        let refresh_token: String?
    }

    /// `{token, type: "Bearer"}` (+ `refresh_token` in compat mode) and the rotated cookie.
    struct Refreshed: Encodable {
        let token: String
        let type = "Bearer"
        let refresh_token: String?
    }

    func signedIn(_ issued: IssuedSession, user: UserResponse) -> ServiceResponse {
        let body = SignedIn(
            token: issued.accessToken, user: user,
            refresh_token: refreshTokenInBody ? issued.refreshToken : nil)
        return withCookie(.json(200, body), issued.refreshToken)
    }

    func refreshed(accessToken: String, refreshToken: String) -> ServiceResponse {
        let body = Refreshed(token: accessToken, refresh_token: refreshTokenInBody ? refreshToken : nil)
        return withCookie(.json(200, body), refreshToken)
    }

    /// After a social sign-in with `return_to`: back to the frontend with only the refresh cookie;
    /// the frontend then calls `/refresh-token` (no token ever travels in a URL).
    func redirectSignedIn(_ issued: IssuedSession, to location: String) -> ServiceResponse {
        withCookie(ServiceResponse(status: 303).adding(header: "Location", location), issued.refreshToken)
    }

    private func withCookie(_ response: ServiceResponse, _ refreshToken: String) -> ServiceResponse {
        response
            .adding(header: "Set-Cookie", cookie.setting(refreshToken))
            .adding(header: "Cache-Control", "no-store")
    }
}
