import FluentKit
import Foundation

/// A way to sign in through a provider: the pair (provider, the provider's id for the user),
/// linked to one account. An account may have several, one per provider.
final class Identity: Model, @unchecked Sendable {
    static let schema = "identities"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "provider") var provider: String
    /// The provider's stable id for the user (OpenID Connect `sub`, GitHub's numeric id).
    @Field(key: "subject") var subject: String
    @OptionalField(key: "email") var email: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(userID: UUID, provider: String, subject: String, email: String?) {
        self.id = UUID()
        self.userID = userID
        self.provider = provider
        self.subject = subject
        self.email = email
        self.createdAt = Date()
    }
}

/// Who the provider says signed in.
struct ProviderProfile: Sendable, Equatable {
    let subject: String
    /// Only an address the provider says is verified; nil otherwise.
    let verifiedEmail: String?
    /// An address the provider gave without vouching for it (for the refusal message only).
    let unverifiedEmail: String?
    let preferredUsername: String?
    let givenName: String?
    let familyName: String?
}
