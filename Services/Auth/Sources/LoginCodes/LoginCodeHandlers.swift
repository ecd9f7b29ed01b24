import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `POST /request/login-code` and `POST /login/code`.
struct LoginCodeHandlers: Sendable {
    let codes: LoginCodes
    let sessions: SessionIssuer
    let answers: TokenAnswers
    let users: UserDirectory
    let mailOnRequest: MailOnRequest
    let uniformTime: UniformAnswerTime

    struct LoginBody: Codable {
        let email: String
        let code: String
    }

    func request(_ request: ServiceRequest) async throws -> ServiceResponse {
        try await mailOnRequest.answer(
            request, .message(200, "If an account exists for this email, a login code has been sent.")
        ) { email in try await codes.send(to: email, from: request) }
    }

    func login(_ request: ServiceRequest) async throws -> ServiceResponse {
        let body = try request.decode(LoginBody.self)
        var errors: [String: String] = [:]
        if let problem = InputRules.emailProblem(body.email) { errors["email"] = problem }
        if body.code.count != 6 || !body.code.allSatisfy(\.isASCII) || !body.code.allSatisfy(\.isNumber) {
            errors["code"] = "The code is 6 digits"
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }

        let outcome = try await uniformTime.run {
            try await codes.redeem(email: body.email, code: body.code, from: request)
        }
        switch outcome {
        case .refused:
            throw HTTPFailure(400, "Invalid code or email.")
        case .inactive:
            throw AuthError.inactiveAccount.failure
        case .signedIn(let user):
            if let id = user.id { users.changed(id) }
            let account = try Account(user)
            let issued = try await sessions.start(for: account, by: .code, from: request)
            return answers.signedIn(issued, user: account.response)
        }
    }
}
