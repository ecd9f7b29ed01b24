import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// Per-account sign-in throttling, shared by every Auth instance through the database. Keyed by
/// the hash of the canonical email whether or not an account has it, so being throttled says
/// nothing about registration; a throttled attempt is refused before any password check.
struct LoginThrottle: Sendable {
    /// Failures allowed before any delay.
    static let freeFailures = 5
    /// The longest wait between attempts once throttled.
    static let maximumDelay: TimeInterval = 300
    /// Failures older than this are forgotten.
    static let memory: TimeInterval = 24 * 3600

    let database: ServiceDatabase
    /// The first wait (`TOLLGATE_LOGIN_THROTTLE_BASE`, 1 s by default); each further failure doubles it.
    var base: TimeInterval = 1

    /// How long after the latest of `failures` failures the next attempt must wait: nothing for
    /// the first few, then `base`, twice `base`, four times … up to `maximumDelay`.
    static func delay(afterFailures failures: Int, base: TimeInterval = 1) -> TimeInterval {
        guard failures >= freeFailures else { return 0 }
        let exponent = min(failures - freeFailures, 16)
        return min(base * TimeInterval(1 << exponent), maximumDelay)
    }

    static func key(for email: String) -> String { TokenHash.of(CanonicalForm.email(email)) }

    /// What the throttle says about the next attempt for an email.
    struct Standing: Sendable, Equatable {
        /// Seconds to wait before trying, or nil when it may try now.
        var retryAfter: Int?
        /// Failures are on record (a success must clear them).
        var hasFailures: Bool
    }

    /// The standing from a `login_failures` row (nil columns: no row).
    func standing(failures: Int?, lastFailureAt: Date?, now: Date = Date()) -> Standing {
        guard let failures, let lastFailureAt else { return Standing(retryAfter: nil, hasFailures: false) }
        guard now.timeIntervalSince(lastFailureAt) < Self.memory else { return Standing(retryAfter: nil, hasFailures: true) }
        let wait = lastFailureAt.addingTimeInterval(Self.delay(afterFailures: failures, base: base)).timeIntervalSince(now)
        return Standing(retryAfter: wait > 0 ? Int(wait.rounded(.up)) : nil, hasFailures: true)
    }

    /// Counts a failure atomically (concurrent failures all count); a stale count starts over.
    func recordFailure(email: String, now: Date = Date()) async throws {
        let staleBefore = now.addingTimeInterval(-Self.memory)
        try await database.sql.raw("""
            INSERT INTO \(ident: LoginFailures.schema) (email_key, failures, last_failure_at)
            VALUES (\(bind: Self.key(for: email)), 1, \(bind: now))
            ON CONFLICT (email_key) DO UPDATE SET
                failures = CASE WHEN \(ident: LoginFailures.schema).last_failure_at < \(bind: staleBefore)
                    THEN 1 ELSE \(ident: LoginFailures.schema).failures + 1 END,
                last_failure_at = \(bind: now)
            """).run()
    }

    func recordSuccess(email: String) async throws {
        try await database.sql.delete(from: LoginFailures.schema).where("email_key", .equal, Self.key(for: email)).run()
    }
}

/// The table of recent failed sign-ins per canonical email (by hash): `email_key`, `failures`,
/// `last_failure_at`. Read with the account in one statement (`SignInLookup`).
enum LoginFailures {
    static let schema = "login_failures"
}

struct CreateLoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginFailures.schema)
            .field("email_key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("last_failure_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginFailures.schema).delete()
    }
}
