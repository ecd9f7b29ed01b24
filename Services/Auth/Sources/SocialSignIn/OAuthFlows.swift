import Crypto
import FluentKit
import Foundation
import SQLKit
import TollgatePersistence
import TollgateSecurity

/// A sign-in started with a provider and not yet finished: what the callback needs to finish it
/// (the PKCE verifier, the OpenID Connect nonce, where to return), kept server-side under the hash
/// of its `state`, and usable once.
struct OAuthFlow: Sendable, Equatable {
    let state: String
    let provider: String
    let codeVerifier: String
    let nonce: String
    let returnTo: String?

    /// `S256`: base64url(SHA-256(verifier)), as RFC 7636 asks.
    var codeChallenge: String { Base64URL.encode(Data(SHA256.hash(data: Data(codeVerifier.utf8)))) }
}

/// The table of open flows: `state_hash`, `provider`, `code_verifier`, `nonce`, `return_to`, `expires_at`.
struct OAuthFlows: Sendable {
    static let schema = "oauth_flows"
    let database: ServiceDatabase
    var lifetime: TimeInterval = 600

    func start(provider: String, returnTo: String?, now: Date = Date()) async throws -> OAuthFlow {
        let flow = OAuthFlow(
            state: SecureRandom.token(), provider: provider, codeVerifier: SecureRandom.token() + SecureRandom.token(),
            nonce: SecureRandom.token(), returnTo: returnTo)
        // Flows nobody finished go when new ones start.
        try await database.sql.delete(from: Self.schema).where("expires_at", .lessThan, now).run()
        try await database.sql.insert(into: Self.schema)
            .columns("state_hash", "provider", "code_verifier", "nonce", "return_to", "expires_at")
            .values(
                SQLBind(TokenHash.of(flow.state)), SQLBind(provider), SQLBind(flow.codeVerifier), SQLBind(flow.nonce),
                SQLBind(returnTo), SQLBind(now.addingTimeInterval(lifetime)))
            .run()
        return flow
    }

    private struct Row: Decodable {
        let code_verifier: String
        let nonce: String
        let return_to: String?
        let expires_at: Date
    }

    /// Takes the flow out (so a replayed callback finds nothing); nil when unknown, for another
    /// provider, or expired.
    func finish(state: String, provider: String, now: Date = Date()) async throws -> OAuthFlow? {
        let rows = try await database.sql.delete(from: Self.schema)
            .where("state_hash", .equal, TokenHash.of(state))
            .where("provider", .equal, provider)
            .returning("code_verifier", "nonce", "return_to", "expires_at")
            .all(decoding: Row.self)
        guard let row = rows.first, row.expires_at > now else { return nil }
        return OAuthFlow(state: state, provider: provider, codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to)
    }
}

struct CreateOAuthTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OAuthFlows.schema)
            .field("state_hash", .string, .identifier(auto: false))
            .field("provider", .string, .required)
            .field("code_verifier", .string, .required)
            .field("nonce", .string, .required)
            .field("return_to", .string)
            .field("expires_at", .datetime, .required)
            .create()
        try await database.schema(Identity.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("provider", .string, .required)
            .field("subject", .string, .required)
            .field("email", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "provider", "subject")
            .unique(on: "user_id", "provider")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Identity.schema).delete()
        try await database.schema(OAuthFlows.schema).delete()
    }
}
