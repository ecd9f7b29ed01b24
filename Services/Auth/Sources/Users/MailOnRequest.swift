import TollgatePersistence
import TollgateServiceKit

/// Requests that mail something to an address if an account has it (`/forget-password`,
/// `/request/login-code`): body `{email}`, and one answer, in uniform time, whatever happened.
struct MailOnRequest: Sendable {
    let relay: OutboxRelay
    let uniformTime: UniformAnswerTime

    struct Body: Codable {
        let email: String
    }

    /// `send` queues the email and says whether it did.
    func answer(
        _ request: ServiceRequest, _ answer: ServiceResponse, send: @Sendable (String) async throws -> Bool
    ) async throws -> ServiceResponse {
        let body = try request.decode(Body.self)
        if let problem = InputRules.emailProblem(body.email) { throw ValidationFailure(field: "email", problem) }
        if try await uniformTime.run({ try await send(body.email) }) { relay.wakeUp() }
        return answer
    }
}
