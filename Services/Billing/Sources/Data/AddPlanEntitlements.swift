import FluentKit
import SQLKit

/// Plans gain the feature names and limits they entitle to (JSON text; none for plans made before).
struct AddPlanEntitlements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE \(ident: Plan.schema) ADD COLUMN features TEXT NOT NULL DEFAULT '[]'").run()
        try await sql.raw("ALTER TABLE \(ident: Plan.schema) ADD COLUMN limits TEXT NOT NULL DEFAULT '{}'").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE \(ident: Plan.schema) DROP COLUMN features").run()
        try await sql.raw("ALTER TABLE \(ident: Plan.schema) DROP COLUMN limits").run()
    }
}
