import FluentKit

/// `refresh_tokens.successor_sealed`: a rotated token's successor, sealed under the rotated token
/// (`SuccessorSeal`), so a repeated rotation answers the same successor.
struct AddSealedSuccessors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RefreshToken.schema).field("successor_sealed", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RefreshToken.schema).deleteField("successor_sealed").update()
    }
}
