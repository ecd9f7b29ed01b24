import Foundation

/// The emails Tollgate sends; each is a template set in the Notifier.
public enum EmailTemplate: String, Sendable, Codable, CaseIterable {
    case verifyEmail = "verify_email"
    case resetPassword = "reset_password"
    case loginCode = "login_code"
    case passwordChanged = "password_changed"
    case newSignIn = "new_sign_in"
    case subscriptionStarted = "subscription_started"
    case subscriptionRenewed = "subscription_renewed"
    case subscriptionUpdated = "subscription_updated"
    case subscriptionCancellationScheduled = "subscription_cancellation_scheduled"
    case subscriptionCanceled = "subscription_canceled"
    case paymentFailed = "payment_failed"
    case duplicateSubscriptionCanceled = "duplicate_subscription_canceled"
    case signInCodesLocked = "sign_in_codes_locked"
    case testEmail = "test_email"

    /// The only identity allowed to publish this template to the `EMAIL` stream.
    public var sender: BusIdentity {
        switch self {
        case .verifyEmail, .resetPassword, .loginCode, .passwordChanged, .newSignIn, .signInCodesLocked: .auth
        case .subscriptionStarted, .subscriptionRenewed, .subscriptionUpdated, .subscriptionCancellationScheduled,
            .subscriptionCanceled, .paymentFailed, .duplicateSubscriptionCanceled:
            .billing
        case .testEmail: .notifierCLI
        }
    }

    /// Its data holds a one-time secret (a link token, a sign-in code): once the email is
    /// delivered, or given up on, nothing may keep it.
    public var carriesSecret: Bool {
        switch self {
        case .verifyEmail, .resetPassword, .loginCode: true
        default: false
        }
    }
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

extension EmailCommand {
    /// "Your password was changed" (by a change or a reset), with when and from where.
    public static func passwordChanged(to email: String, username: String, when: String, ip: String) -> EmailCommand {
        EmailCommand(
            template: .passwordChanged, to: email, toName: username,
            data: ["username": username, "when": when, "ip": ip])
    }

    /// "New sign-in to your account" (sent when configured).
    public static func newSignIn(to email: String, username: String, when: String, ip: String, device: String)
        -> EmailCommand
    {
        EmailCommand(
            template: .newSignIn, to: email, toName: username,
            data: ["username": username, "when": when, "ip": ip, "device": device])
    }
}

extension EmailCommand {
    /// "Sign-in codes are paused": too many wrong codes were tried for the account.
    public static func signInCodesLocked(to email: String, username: String, attempts: Int, minutes: Int) -> EmailCommand {
        EmailCommand(
            template: .signInCodesLocked, to: email, toName: username,
            data: ["username": username, "attempts": String(attempts), "minutes": String(minutes)])
    }
}

extension EmailCommand {
    /// `tollgate-notifier send-test`: proves the mail set-up works (and feeds the benchmark).
    public static func testEmail(to email: String, number: Int) -> EmailCommand {
        EmailCommand(template: .testEmail, to: email, data: ["number": String(number)])
    }
}

/// The facts every subscription email states. Amounts are display text ("$12.00").
public struct SubscriptionFacts: Sendable, Equatable {
    public let planName: String
    public let amount: String
    /// The end of the paid period, as display text.
    public let periodEnd: String

    public init(planName: String, amount: String, periodEnd: String) {
        self.planName = planName
        self.amount = amount
        self.periodEnd = periodEnd
    }

    var data: [String: String] { ["plan_name": planName, "amount": amount, "period_end": periodEnd] }
}

extension EmailCommand {
    public static func subscription(
        _ template: EmailTemplate, to email: String, username: String, facts: SubscriptionFacts
    ) -> EmailCommand {
        EmailCommand(
            template: template, to: email, toName: username,
            data: facts.data.merging(["username": username]) { own, _ in own })
    }
}

/// An email the Notifier gave up on, as kept in the dead-letter stream: why, to whom, and — only
/// for emails without a one-time secret — the command itself, so it can be sent again. A reset
/// link or a sign-in code is never kept here: the user asks for a new one.
public struct DeadLetter: Codable, Sendable, Equatable {
    public let messageID: String
    /// Nil when the command could not be read at all.
    public let template: EmailTemplate?
    public let to: String?
    public let command: EmailCommand?
    public let reason: String
    public let attempts: Int
    public let failedAt: Date

    /// A letter for `command` (nil: unreadable), keeping the command only if it holds no secret.
    public init(messageID: String, command: EmailCommand?, reason: String, attempts: Int, failedAt: Date) {
        self.messageID = messageID
        self.template = command?.template
        self.to = command?.to
        self.command = command.flatMap { $0.template.carriesSecret ? nil : $0 }
        self.reason = reason
        self.attempts = attempts
        self.failedAt = failedAt
    }

    enum CodingKeys: String, CodingKey {
        case template, to, command, reason, attempts
        case messageID = "message_id"
        case failedAt = "failed_at"
    }
}

/// `tollgate-notifier dead-letters retry ID`: the running Notifier sends the letter again itself
/// (the operator's command cannot publish emails).
public struct DeadLetterRetry: Codable, Sendable, Equatable {
    public let messageID: String

    public init(messageID: String) { self.messageID = messageID }

    enum CodingKeys: String, CodingKey { case messageID = "message_id" }
}
