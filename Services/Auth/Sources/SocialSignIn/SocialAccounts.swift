import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// Decides which account a provider's sign-in is: the one its identity is linked to; else the
/// account with the same email, linked now only if both the provider and the account vouch for
/// that email; else a new account. Never a silent takeover.
struct SocialAccounts: Sendable {
    let database: ServiceDatabase

    enum Refusal: Error, Equatable {
        case unverifiedProviderEmail(provider: String)
        case unverifiedLocalAccount(provider: String)
        case linkedToAnother(provider: String)
        case inactive

        var failure: HTTPFailure {
            switch self {
            case .unverifiedProviderEmail(let provider):
                HTTPFailure(
                    400, "Your \(provider) account has no verified email address; verify it with \(provider), or sign up with a password")
            case .unverifiedLocalAccount(let provider):
                HTTPFailure(
                    409,
                    "An account with this email exists but its email is not verified. Sign in with your password and verify your email first; then \(provider) sign-in will work")
            case .linkedToAnother(let provider):
                HTTPFailure(409, "This account is already linked to another \(provider) account")
            case .inactive: AuthError.inactiveAccount.failure
            }
        }
    }

    func account(for profile: ProviderProfile, provider: SocialProvider) async throws -> Account {
        let label = provider.name == "github" ? "GitHub" : provider.name == "google" ? "Google" : provider.name
        if let identity = try await Identity.query(on: database.database)
            .filter(\.$provider == provider.name).filter(\.$subject == profile.subject).first()
        {
            guard let user = try await User.find(identity.userID, on: database.database), user.isActive else {
                throw Refusal.inactive
            }
            return try Account(user)
        }
        guard let email = profile.verifiedEmail else { throw Refusal.unverifiedProviderEmail(provider: label) }
        if let user = try await User.withEmail(email, on: database.database) {
            guard user.isVerified else { throw Refusal.unverifiedLocalAccount(provider: label) }
            guard user.isActive else { throw Refusal.inactive }
            guard let userID = user.id else { throw Refusal.inactive }
            do {
                try await Identity(userID: userID, provider: provider.name, subject: profile.subject, email: email)
                    .create(on: database.database)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw Refusal.linkedToAnother(provider: label)
            }
            return try Account(user)
        }
        return try await provision(profile, email: email, provider: provider)
    }

    /// A new, verified account (the provider vouched for the email) with its profile and identity.
    private func provision(_ profile: ProviderProfile, email: String, provider: SocialProvider) async throws -> Account {
        for attempt in 0..<5 {
            let username = try await freeUsername(for: profile, email: email, attempt: attempt)
            let user = User(email: email, username: username, passwordHash: nil, provider: provider.userProvider)
            user.isVerified = true
            do {
                try await database.database.transaction { transaction in
                    try await user.create(on: transaction)
                    guard let userID = user.id else { return }
                    let details = UserProfile(userID: userID)
                    details.firstName = profile.givenName.map { String($0.prefix(100)) }
                    details.lastName = profile.familyName.map { String($0.prefix(100)) }
                    try await details.create(on: transaction)
                    try await Identity(userID: userID, provider: provider.name, subject: profile.subject, email: email)
                        .create(on: transaction)
                }
                return try Account(user)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // The username (or the email, or the identity) was taken a moment ago: look again.
                if let existing = try await Identity.query(on: database.database)
                    .filter(\.$provider == provider.name).filter(\.$subject == profile.subject).first(),
                    let user = try await User.find(existing.userID, on: database.database)
                {
                    return try Account(user)
                }
                if try await User.withEmail(email, on: database.database) != nil {
                    return try await account(for: profile, provider: provider)
                }
            }
        }
        throw HTTPFailure(503, "Could not create the account; try again")
    }

    /// The provider's username or the email's local part, cleaned to the username rules, with a
    /// number added when taken.
    private func freeUsername(for profile: ProviderProfile, email: String, attempt: Int) async throws -> String {
        let source = profile.preferredUsername ?? String(email.prefix { $0 != "@" })
        var base = String(String.UnicodeScalarView(source.unicodeScalars.filter(Username.isAllowed)).prefix(24))
        if base.count < 3 { base = "user" + base }
        for number in 0..<50 {
            let candidate = number == 0 && attempt == 0 ? base : "\(base)\(Int.random(in: 10...99_999))"
            let taken = try await User.query(on: database.database)
                .filter(\.$usernameCanonical == CanonicalForm.of(candidate)).count() > 0
            if !taken { return candidate }
        }
        return "user\(UUID().uuidString.prefix(8).lowercased())"
    }
}
