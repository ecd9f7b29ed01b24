import FluentKit
import Foundation
import TollgatePersistence
import TollgateServiceKit

/// `GET /me/profile` and `PATCH /me/profile` (names, avatar URL, bio).
struct ProfileHandlers: Sendable {
    let database: ServiceDatabase

    struct ProfileView: Encodable {
        let firstName: String?
        let lastName: String?
        let avatarURL: String?
        let bio: String?

        init(firstName: String?, lastName: String?, avatarURL: String?, bio: String?) {
            self.firstName = firstName
            self.lastName = lastName
            self.avatarURL = avatarURL
            self.bio = bio
        }

        init(_ profile: UserProfile) {
            firstName = profile.firstName
            lastName = profile.lastName
            avatarURL = profile.avatarURL
            bio = profile.bio
        }

        enum CodingKeys: String, CodingKey {
            case bio
            case firstName = "first_name"
            case lastName = "last_name"
            case avatarURL = "avatar_url"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Unset fields are `null`, not missing, so clients see the whole shape.
            try container.encode(firstName, forKey: .firstName)
            try container.encode(lastName, forKey: .lastName)
            try container.encode(avatarURL, forKey: .avatarURL)
            try container.encode(bio, forKey: .bio)
        }
    }

    /// A PATCH body: a missing field is left alone, `null` clears it.
    struct ProfilePatch: Codable {
        enum Change: Equatable {
            case keep
            case set(String?)
        }

        let firstName: Change
        let lastName: Change
        let avatarURL: Change
        let bio: Change

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: ProfileView.CodingKeys.self)
            func change(_ key: ProfileView.CodingKeys) throws -> Change {
                guard container.contains(key) else { return .keep }
                if try container.decodeNil(forKey: key) { return .set(nil) }
                return .set(try container.decode(String.self, forKey: key))
            }
            firstName = try change(.firstName)
            lastName = try change(.lastName)
            avatarURL = try change(.avatarURL)
            bio = try change(.bio)
        }

        init(firstName: Change, lastName: Change, avatarURL: Change, bio: Change) {
            self.firstName = firstName
            self.lastName = lastName
            self.avatarURL = avatarURL
            self.bio = bio
        }

        /// The inverse of decoding: a kept field is left out, a cleared one is `null`.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: ProfileView.CodingKeys.self)
            for (key, change) in [(ProfileView.CodingKeys.firstName, firstName), (.lastName, lastName), (.avatarURL, avatarURL), (.bio, bio)] {
                if case .set(let value) = change { try container.encodeIfPresent(Optional(value), forKey: key) }
            }
        }

        func validate() throws(ValidationFailure) {
            var errors: [String: String] = [:]
            if case .set(let name?) = firstName, name.count > 100 { errors["first_name"] = "At most 100 characters" }
            if case .set(let name?) = lastName, name.count > 100 { errors["last_name"] = "At most 100 characters" }
            if case .set(let bio?) = bio, bio.count > 1000 { errors["bio"] = "At most 1000 characters" }
            if case .set(let url?) = avatarURL {
                let parsed = URLComponents(string: url)
                if url.count > 2048 || !["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") || parsed?.host == nil {
                    errors["avatar_url"] = "Enter an http or https URL"
                }
            }
            if !errors.isEmpty { throw ValidationFailure(errors) }
        }
    }

    func get(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        .json(200, ProfileView(try await profile(of: principal.userID, on: database.database)))
    }

    func patch(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let changes = try request.decode(ProfilePatch.self)
        try changes.validate()
        let profile = try await profile(of: principal.userID, on: database.database)
        if case .set(let value) = changes.firstName { profile.firstName = value }
        if case .set(let value) = changes.lastName { profile.lastName = value }
        if case .set(let value) = changes.avatarURL { profile.avatarURL = value }
        if case .set(let value) = changes.bio { profile.bio = value }
        try await profile.save(on: database.database)
        return .json(200, ProfileView(profile))
    }

    private func profile(of userID: UUID, on db: any Database) async throws -> UserProfile {
        guard let profile = try await UserProfile.query(on: db).filter(\.$userID == userID).first() else {
            throw HTTPFailure(404, "Profile not found")
        }
        return profile
    }
}
