import FluentKit
import Foundation
import SQLKit
import TollgatePersistence
import TollgateServiceKit

/// `GET /me` → the signed-in user.
struct MeHandler: Sendable {
    let database: ServiceDatabase

    /// The columns `/me` needs. Read with one SQL statement rather than a Fluent model: this is the
    /// hottest authenticated route, and model hydration cost more than the query itself.
    private struct Row: Decodable {
        let email: String
        let username: String
        let provider: String
        let is_active: Bool
    }

    func handle(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let row = try await database.sql
            .select().columns("email", "username", "provider", "is_active")
            .from(User.schema)
            .where("id", .equal, principal.userID)
            .first(decoding: Row.self)
        guard let row, row.is_active else { throw AuthError.userNotFound.failure }
        return .json(
            200,
            UserResponse(
                id: principal.userID.uuidString.lowercased(), email: row.email, username: row.username,
                provider: row.provider))
    }
}
