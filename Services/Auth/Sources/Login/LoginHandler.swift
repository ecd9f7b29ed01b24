import TollgateServiceKit

/// `POST /login` body.
struct LoginRequest: Codable, Sendable {
    let email: String
    let password: String

    func validate() throws(ValidationFailure) {
        var errors: [String: String] = [:]
        if email.isEmpty || email.count > 254 { errors["email"] = "Enter a valid email address" }
        if password.isEmpty || password.count > 128 { errors["password"] = "Password must be 1 to 128 characters" }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// `POST /login` → 200 with an access token and the refresh cookie.
struct LoginHandler: Sendable {
    let login: PasswordLogin
    let sessions: SessionIssuer
    let answers: TokenAnswers

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        let input = try request.decode(LoginRequest.self)
        try input.validate()
        do {
            let account = try await login.authenticate(email: input.email, password: input.password, from: request)
            let issued = try await sessions.start(for: account, by: .password, from: request)
            return answers.signedIn(issued, user: account.response)
        } catch let error as AuthError {
            throw error.failure
        }
    }
}
