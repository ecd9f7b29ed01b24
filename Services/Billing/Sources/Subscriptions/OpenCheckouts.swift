import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// At most one open Stripe Checkout session per user and purpose (subscribing to a plan, or
/// upgrading one subscription to a plan): while it is open, asking again answers its URL again,
/// however many requests arrive at once and on however many Billing instances. One request claims
/// the row and makes the session; the others wait for its URL.
struct OpenCheckouts: Sendable {
    static let schema = "open_checkouts"

    /// A claim older than this, still without a URL, is taken to be from a request that died.
    static let claimTimeout: TimeInterval = 30
    /// A session this close to Stripe's expiry is not handed out again.
    static let expiryMargin: TimeInterval = 600
    /// How long a request waits for another's session before giving up with a 503.
    static let waitLimit: Duration = .seconds(15)

    let database: ServiceDatabase

    private struct Row: Decodable {
        let claim_id: UUID
        let status: String
        let url: String?
        let expires_at: Date?
        let claimed_at: Date
    }

    enum Turn: Sendable {
        /// An open session to answer with.
        case open(url: String)
        /// This request makes the session, under this claim (also its idempotency key).
        case make(claim: UUID)
    }

    /// `subscribe:<plan>` or `upgrade:<subscription>:<plan>`.
    static func purpose(plan: UUID, upgradeFrom: UUID?) -> String {
        upgradeFrom.map { "upgrade:\($0.lowercased):\(plan.lowercased)" } ?? "subscribe:\(plan.lowercased)"
    }

    /// The open session's URL, or the claim to make one; waits while another request makes it.
    func turn(user: UUID, purpose: String) async throws -> Turn {
        let deadline = ContinuousClock.now + Self.waitLimit
        while true {
            let now = Date()
            if let row = try await row(user: user, purpose: purpose) {
                if row.status == "open", let url = row.url, let expires = row.expires_at,
                    expires.timeIntervalSince(now) > Self.expiryMargin
                {
                    return .open(url: url)
                }
                if row.status == "creating", now.timeIntervalSince(row.claimed_at) < Self.claimTimeout {
                    guard ContinuousClock.now < deadline else { throw CheckoutBusy() }
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
            }
            if let claim = try await claim(user: user, purpose: purpose, now: now) { return .make(claim: claim) }
        }
    }

    /// The session made under `claim` is open until `expiresAt`.
    func opened(claim: UUID, sessionID: String, url: String, expiresAt: Date) async throws {
        try await database.sql.update(Self.schema)
            .set("status", to: "open").set("url", to: url).set("stripe_session_id", to: sessionID).set("expires_at", to: expiresAt)
            .where("claim_id", .equal, claim).run()
    }

    /// Making the session failed: the next request may try again at once.
    func abandon(claim: UUID) async throws {
        try await database.sql.update(Self.schema).set("status", to: "closed").where("claim_id", .equal, claim).run()
    }

    /// The session was completed (or expired) at Stripe: its URL is no longer anyone's answer.
    func close(sessionID: String, on sql: any SQLDatabase) async throws {
        try await sql.update(Self.schema).set("status", to: "closed").where("stripe_session_id", .equal, sessionID).run()
    }

    private func row(user: UUID, purpose: String) async throws -> Row? {
        try await database.sql.select().columns("claim_id", "status", "url", "expires_at", "claimed_at").from(Self.schema)
            .where("user_id", .equal, user).where("purpose", .equal, purpose).first(decoding: Row.self)
    }

    /// Takes the row for this request unless another request's claim is fresh or its session open.
    private func claim(user: UUID, purpose: String, now: Date) async throws -> UUID? {
        let claim = UUID()
        let table = Self.schema
        let stale = now.addingTimeInterval(-Self.claimTimeout)
        let expiring = now.addingTimeInterval(Self.expiryMargin)
        let taken = try await database.sql.raw("""
            INSERT INTO \(ident: table) (user_id, purpose, claim_id, status, claimed_at)
            VALUES (\(bind: user), \(bind: purpose), \(bind: claim), 'creating', \(bind: now))
            ON CONFLICT (user_id, purpose) DO UPDATE SET
                claim_id = excluded.claim_id, status = 'creating', claimed_at = excluded.claimed_at,
                url = NULL, stripe_session_id = NULL, expires_at = NULL
            WHERE \(ident: table).status = 'closed'
                OR (\(ident: table).status = 'creating' AND \(ident: table).claimed_at < \(bind: stale))
                OR (\(ident: table).status = 'open' AND \(ident: table).expires_at < \(bind: expiring))
            RETURNING claim_id
            """).first(decoding: ClaimID.self)
        return taken?.claim_id == claim ? claim : nil
    }

    private struct ClaimID: Decodable {
        let claim_id: UUID
    }
}

/// Another request has been making the same Checkout session for too long.
struct CheckoutBusy: Error {}

struct CreateOpenCheckouts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OpenCheckouts.schema)
            .field("user_id", .uuid, .required)
            .field("purpose", .string, .required)
            .field("claim_id", .uuid, .required)
            .field("status", .string, .required)
            .field("claimed_at", .datetime, .required)
            .field("stripe_session_id", .string)
            .field("url", .string)
            .field("expires_at", .datetime)
            .unique(on: "user_id", "purpose")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "open_checkouts_session").on(OpenCheckouts.schema).column("stripe_session_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OpenCheckouts.schema).delete()
    }
}
