import Foundation

/// Who signs in at the stand-in's consent page (tests set it before each sign-in).
public struct ProviderUser: Sendable, Equatable {
    public var subject: String
    public var email: String
    public var emailVerified: Bool
    public var name: String
    /// GitHub's `login`.
    public var login: String

    public init(subject: String, email: String, emailVerified: Bool = true, name: String = "Test User", login: String? = nil) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.login = login ?? String(email.prefix { $0 != "@" })
    }
}

/// Ways the stand-in's ID tokens can be wrong, as an attacker or a misconfiguration would make them.
public enum IDTokenFault: Sendable, Equatable {
    case wrongAudience, expired, badSignature, wrongNonce, wrongIssuer
}

/// A code the authorization endpoint handed out, waiting for the token endpoint.
struct IssuedCode: Sendable {
    let tenant: String
    let clientID: String
    let redirectURI: String
    let codeChallenge: String?
    let nonce: String?
    let user: ProviderUser
}

struct OAuthStandInState: Sendable {
    /// Registered clients: id → (secret, redirect URI).
    var clients: [String: (secret: String, redirectURI: String)] = [:]
    /// The user who signs in next, per tenant (`github`, or an OpenID Connect tenant name).
    var users: [String: ProviderUser] = [:]
    var codes: [String: IssuedCode] = [:]
    var accessTokens: [String: ProviderUser] = [:]
    var fault: IDTokenFault?
    /// GitHub's email list, as `/user/emails` answers it (default: the user's email, primary).
    var githubEmails: [(email: String, primary: Bool, verified: Bool)]?
    var tokenRequests = 0
}
