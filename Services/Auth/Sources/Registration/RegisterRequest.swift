import Foundation
import TollgateServiceKit

/// `POST /register` body.
struct RegisterRequest: Codable, Sendable {
    let email: String
    let username: String
    let password: String

    /// Every field problem at once, in the contract's 422 shape.
    func validate(passwords: PasswordPolicy) throws(ValidationFailure) {
        var errors: [String: String] = [:]
        if let problem = InputRules.emailProblem(email) { errors["email"] = problem }
        if let problem = Username.problem(username) { errors["username"] = problem }
        if let problem = passwords.problem(password, email: email, username: username) { errors["password"] = problem }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// Field rules shared by every flow that accepts an email.
enum InputRules {
    static func emailProblem(_ email: String) -> String? {
        EmailAddress.normalized(email) == nil ? "Enter a valid email address" : nil
    }
}
