import Foundation
import TollgateServiceKit

/// `POST /register` body.
struct RegisterRequest: Decodable, Sendable {
    let email: String
    let username: String
    let password: String

    /// Every field problem at once, in the contract's 422 shape.
    func validate() throws(ValidationFailure) {
        var errors: [String: String] = [:]
        if let problem = InputRules.emailProblem(email) { errors["email"] = problem }
        if let problem = InputRules.usernameProblem(username) { errors["username"] = problem }
        if let problem = InputRules.passwordProblem(password) {
            errors["password"] = problem
        } else if InputRules.isPasswordAnIdentifier(password, email: email, username: username) {
            errors["password"] = "Password must not be your email or username"
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// Field rules shared by every flow that accepts these fields.
enum InputRules {
    static func emailProblem(_ email: String) -> String? {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return "Enter a valid email address" }
        return nil
    }

    static func usernameProblem(_ username: String) -> String? {
        let trimmed = username.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...32).contains(trimmed.count) else { return "Username must be 3 to 32 characters" }
        guard trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            return "Username may contain letters, digits, '.', '_' and '-' only"
        }
        return nil
    }

    /// NIST 800-63B: no composition rules, but not a value an attacker tries first.
    static func isPasswordAnIdentifier(_ password: String, email: String, username: String) -> Bool {
        let candidate = CanonicalForm.of(password)
        return candidate == CanonicalForm.of(email) || candidate == CanonicalForm.of(username)
            || candidate == CanonicalForm.of(String(email.prefix { $0 != "@" }))
    }

    static func passwordProblem(_ password: String) -> String? {
        (8...128).contains(password.count) ? nil : "Password must be 8 to 128 characters"
    }
}

