/// The emails Tollgate sends; each is a template set in the Notifier.
public enum EmailTemplate: String, Sendable, Codable, CaseIterable {
    case verifyEmail = "verify_email"
    case resetPassword = "reset_password"
    case loginCode = "login_code"
}

/// "Send this templated email": published to the `EMAIL` stream, consumed by the Notifier.
public struct EmailCommand: Codable, Sendable, Equatable {
    public let template: EmailTemplate
    public let to: String
    public let toName: String?
    /// Template variables. Every value a template uses must be here; tests render each template
    /// with what its producer sends.
    public let data: [String: String]

    public init(template: EmailTemplate, to: String, toName: String? = nil, data: [String: String]) {
        self.template = template
        self.to = to
        self.toName = toName
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case template, to, data
        case toName = "to_name"
    }
}

extension EmailCommand {
    /// "Confirm your email": the one way to build it, so producer and templates agree on the data.
    public static func verifyEmail(to email: String, username: String, verifyURL: String) -> EmailCommand {
        EmailCommand(
            template: .verifyEmail, to: email, toName: username,
            data: ["username": username, "verify_url": verifyURL])
    }
}

extension EmailCommand {
    /// "Reset your password": a single-use link valid for `minutes`.
    public static func resetPassword(to email: String, username: String, resetURL: String, minutes: Int) -> EmailCommand {
        EmailCommand(
            template: .resetPassword, to: email, toName: username,
            data: ["username": username, "reset_url": resetURL, "minutes": String(minutes)])
    }

    /// "Your sign-in code": six digits valid for `minutes`.
    public static func loginCode(to email: String, username: String, code: String, minutes: Int) -> EmailCommand {
        EmailCommand(
            template: .loginCode, to: email, toName: username,
            data: ["username": username, "code": code, "minutes": String(minutes)])
    }
}
