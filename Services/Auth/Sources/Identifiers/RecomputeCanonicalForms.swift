import Foundation
import FluentKit
import SQLKit

/// Rewrites every account's `email_canonical` and `username_canonical` in today's `CanonicalForm`
/// (NFKC and Latin look-alikes were added): existing accounts are then found, and protected from
/// look-alike twins, like new ones. Two accounts that the new form makes equal keep their old
/// forms (each is still reachable as before) and are logged for an operator to look at.
struct RecomputeCanonicalForms: AsyncMigration {
    private struct Row: Decodable {
        let id: UUID
        let email: String
        let username: String
        let email_canonical: String
        let username_canonical: String
    }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let rows = try await sql.select().columns("id", "email", "username", "email_canonical", "username_canonical")
            .from(User.schema).all(decoding: Row.self)
        for row in rows {
            let email = CanonicalForm.email(row.email)
            let username = CanonicalForm.of(row.username)
            guard email != row.email_canonical || username != row.username_canonical else { continue }
            let taken = try await sql.select().column("id").from(User.schema)
                .where("id", .notEqual, row.id)
                .where { $0.where("email_canonical", .equal, email).orWhere("username_canonical", .equal, username) }
                .all()
            guard taken.isEmpty else {
                database.logger.warning(
                    "two accounts look alike; both keep their old canonical forms",
                    metadata: ["user": "\(row.id)", "other": "\(taken.count)"])
                continue
            }
            try await sql.update(User.schema).set("email_canonical", to: email).set("username_canonical", to: username)
                .where("id", .equal, row.id).run()
        }
    }

    func revert(on database: any Database) async throws {}
}
