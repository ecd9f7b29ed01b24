import FluentKit
import Foundation
import SQLKit
import TollgatePersistence

/// Counts per account (and kind) in fixed windows, shared by every Auth instance through the
/// database. One statement counts and answers, so concurrent requests each get their own number.
struct AccountCounters: Sendable {
    static let schema = "account_counters"

    let database: ServiceDatabase

    private struct Count: Decodable {
        let count: Int
    }

    /// Counts one more for `key` and returns the count in the current window, this one included.
    /// A window that has passed starts over.
    func increment(_ key: String, window: Duration, now: Date = Date()) async throws -> Int {
        let windowStart = now.addingTimeInterval(-TimeInterval(window.components.seconds))
        let table = Self.schema
        return try await database.sql.raw("""
            INSERT INTO \(ident: table) (counter_key, window_started_at, count) VALUES (\(bind: key), \(bind: now), 1)
            ON CONFLICT (counter_key) DO UPDATE SET
                count = CASE WHEN \(ident: table).window_started_at <= \(bind: windowStart)
                    THEN 1 ELSE \(ident: table).count + 1 END,
                window_started_at = CASE WHEN \(ident: table).window_started_at <= \(bind: windowStart)
                    THEN \(bind: now) ELSE \(ident: table).window_started_at END
            RETURNING count
            """).first(decoding: Count.self)?.count ?? 1
    }

    /// Takes back one count (it turned out not to be what is counted).
    func decrement(_ key: String) async throws {
        try await database.sql.update(Self.schema).set("count", to: SQLRaw("count - 1"))
            .where("counter_key", .equal, key).where("count", .greaterThan, 0).run()
    }

    func reset(_ key: String) async throws {
        try await database.sql.delete(from: Self.schema).where("counter_key", .equal, key).run()
    }

    // Keys, one place for their spelling.

    /// By the account's email, as the sign-in throttle keys it, so a password sign-in reads it in the
    /// statement that reads the account (`SignInLookup`).
    static func codeGuesses(email: String) -> String { "code-guesses:" + LoginThrottle.key(for: email) }
    static func mails(_ kind: String, _ userID: UUID) -> String { "mails:\(kind):\(userID.uuidString.lowercased())" }
}

struct CreateAccountCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccountCounters.schema)
            .field("counter_key", .string, .identifier(auto: false))
            .field("window_started_at", .datetime, .required)
            .field("count", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccountCounters.schema).delete()
    }
}
