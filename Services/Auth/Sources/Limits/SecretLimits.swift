import TollgateConfig

/// How many one-time secrets an account may be sent, and how many wrong ones may be tried for it,
/// per window: the caps that hold across every code and link an attacker could ask for.
public struct SecretLimits: Sendable, Equatable {
    /// Wrong sign-in codes per account per `guessWindow`, across codes; then codes are refused
    /// until a password sign-in or the window's end.
    public var guesses: Int
    public var guessWindow: Duration
    /// Emails of one kind (reset link, sign-in code, verification link) per account per `sendWindow`.
    public var sends: Int
    public var sendWindow: Duration

    public init(guesses: Int = 10, guessWindow: Duration = .seconds(3600), sends: Int = 3, sendWindow: Duration = .seconds(900)) {
        self.guesses = guesses
        self.guessWindow = guessWindow
        self.sends = sends
        self.sendWindow = sendWindow
    }

    static func read(_ reader: inout EnvironmentReader) -> SecretLimits {
        SecretLimits(
            guesses: reader.int("TOLLGATE_CODE_GUESS_LIMIT", default: 10, in: 1...1000),
            guessWindow: reader.seconds("TOLLGATE_CODE_GUESS_WINDOW", default: .seconds(3600), in: 60...(7 * 86400)),
            sends: reader.int("TOLLGATE_MAIL_SEND_LIMIT", default: 3, in: 1...1000),
            sendWindow: reader.seconds("TOLLGATE_MAIL_SEND_WINDOW", default: .seconds(900), in: 60...86400))
    }
}
