import TollgatePersistence
import TollgateServiceKit

/// `POST /register` → 201 user.
struct RegistrationHandler: Sendable {
    let registration: Registration
    let relay: OutboxRelay
    let passwords: PasswordPolicy

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        let input = try request.decode(RegisterRequest.self)
        try input.validate(passwords: passwords)
        do {
            let user = try await registration.register(input)
            relay.wakeUp()
            return .json(201, UserResponse(user))
        } catch let error as AuthError {
            throw error.failure
        }
    }
}
