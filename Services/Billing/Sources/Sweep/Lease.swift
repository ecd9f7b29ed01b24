import Foundation
import SQLKit
import TollgatePersistence

/// A named lease in Billing's database: while one instance holds it (and keeps renewing it), no
/// other instance gets it. A holder that dies loses it when it expires.
struct Lease: Sendable {
    let database: ServiceDatabase
    let name: String
    /// This instance's name for itself.
    let holder: String
    let duration: TimeInterval

    /// True when this instance holds the lease until `now + duration`.
    func acquire(now: Date = Date()) async throws -> Bool {
        let until = now.addingTimeInterval(duration)
        let rows = try await database.sql.raw("""
            INSERT INTO \(ident: Leases.schema) (name, holder, expires_at)
            VALUES (\(bind: name), \(bind: holder), \(bind: until))
            ON CONFLICT (name) DO UPDATE SET holder = \(bind: holder), expires_at = \(bind: until)
            WHERE \(ident: Leases.schema).expires_at < \(bind: now) OR \(ident: Leases.schema).holder = \(bind: holder)
            RETURNING holder
            """).all()
        return !rows.isEmpty
    }

    func release() async throws {
        try await database.sql.delete(from: Leases.schema)
            .where("name", .equal, name).where("holder", .equal, holder).run()
    }
}
