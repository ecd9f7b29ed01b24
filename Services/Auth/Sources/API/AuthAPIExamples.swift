import Foundation
import TollgateContracts
import TollgateServiceKit

// Typical bodies of Auth's endpoints: the API document derives their schemas from these.

private let exampleUserID = "0b6f2a3e-5d1c-4f7a-9e2b-8c4d1a7f3e60"
private let exampleTime = Date(timeIntervalSince1970: 1_780_000_000)
private let exampleToken = "eyJhbGciOiJFZERTQSIsImtpZCI6IjEifQ.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl"

extension RegisterRequest: APIExample {
    static let example = RegisterRequest(email: "ada@example.com", username: "ada", password: "amber-lantern-7")
}

extension LoginRequest: APIExample {
    static let example = LoginRequest(email: "ada@example.com", password: "amber-lantern-7")
}

extension UserResponse: APIExample {
    public static let example = UserResponse(id: exampleUserID, email: "ada@example.com", username: "ada", provider: "local")
}

extension TokenAnswers.SignedIn: APIExample {
    static let example = TokenAnswers.SignedIn(token: exampleToken, user: .example, refresh_token: "r3fr3sh-t0k3n")
}

extension TokenAnswers.Refreshed: APIExample {
    static let example = TokenAnswers.Refreshed(token: exampleToken, refresh_token: "r3fr3sh-t0k3n")
}

extension SessionHandlers.RefreshBody: APIExample {
    static let example = SessionHandlers.RefreshBody(refresh_token: "r3fr3sh-t0k3n")
}

extension ProfileHandlers.ProfileView: APIExample {
    static let example = ProfileHandlers.ProfileView(
        firstName: "Ada", lastName: "Lovelace", avatarURL: "https://example.com/ada.png", bio: nil)
}

extension ProfileHandlers.ProfilePatch: APIExample {
    static let example = ProfileHandlers.ProfilePatch(
        firstName: .set("Ada"), lastName: .set("Lovelace"), avatarURL: .set("https://example.com/ada.png"), bio: .set(nil))
}

extension PasswordResetHandlers.NewPasswordBody: APIExample {
    static let example = PasswordResetHandlers.NewPasswordBody(token: "the-token-from-the-email", password: "copper-kettle-9")
}

extension LoginCodeHandlers.LoginBody: APIExample {
    static let example = LoginCodeHandlers.LoginBody(email: "ada@example.com", code: "123456")
}

extension ChangePasswordHandler.Body: APIExample {
    static let example = ChangePasswordHandler.Body(old_password: "amber-lantern-7", new_password: "copper-kettle-9")
}

extension MailOnRequest.Body: APIExample {
    static let example = MailOnRequest.Body(email: "ada@example.com")
}

extension SessionListHandlers.SessionView: APIExample {
    static let example = SessionListHandlers.SessionView(
        id: "5e8d1c2a-0f3b-4a6e-9d7c-1b2a3c4d5e6f", userAgent: "Mozilla/5.0", ip: "203.0.113.7", createdAt: exampleTime,
        lastUsedAt: exampleTime, current: true)
}

extension IdentityHandlers.Linked: APIExample {
    static let example = IdentityHandlers.Linked(provider: "github", email: "ada@example.com", createdAt: exampleTime)
}

extension JWKSHandler.KeySet: APIExample {
    static let example = JWKSHandler.KeySet(keys: [PublicJWK(x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "1")])
}

extension AdminUserHandlers.Stats: APIExample {
    static let example = AdminUserHandlers.Stats(users: 120, subscriptions: 40, payments: 95)
}

extension AdminUserResponse: APIExample {
    static let example = AdminUserResponse(
        id: exampleUserID, email: "ada@example.com", username: "ada", provider: "local", isActive: true, isVerified: true,
        isAdmin: false, createdAt: exampleTime)
}

extension AdminUserHandlers.Detail: APIExample {
    static let example = AdminUserHandlers.Detail(user: .example, subscriptionsCount: 1, transactionsCount: 3)
}

extension AdminUserHandlers.StatusChange: APIExample {
    static let example = AdminUserHandlers.StatusChange(is_active: false)
}

extension AdminUserHandlers.RoleChange: APIExample {
    static let example = AdminUserHandlers.RoleChange(is_admin: true)
}

extension AuditEntry: APIExample {
    public static let example = AuditEntry(
        id: UUID(uuidString: "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")!, service: "auth", action: "user.status",
        actorID: UUID(uuidString: exampleUserID), targetID: UUID(uuidString: exampleUserID), before: "is_active=true",
        after: "is_active=false", ip: "203.0.113.7", requestID: "a1b2c3", createdAt: exampleTime)
}
