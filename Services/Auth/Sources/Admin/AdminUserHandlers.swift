import FluentKit
import Foundation
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// The admin API's user routes (the gateway lets only admins through): stats, the user list with
/// filters and search, one user with Billing's counts, and status, role and verification changes —
/// each recorded in the audit log with the state before and after.
struct AdminUserHandlers: Sendable {
    let database: ServiceDatabase
    let billing: BillingDirectory
    let sessions: SessionStore
    let revocations: RevocationOutbox
    let users: UserDirectory
    let audit: AuditLog

    struct Stats: Encodable {
        let users: Int
        let subscriptions: Int
        let payments: Int
    }

    func stats(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let count = try await User.query(on: database.database).count()
        let billing = try await billing.stats()
        return .json(200, Stats(users: count, subscriptions: billing.subscriptions, payments: billing.payments))
    }

    /// Newest first (then by id), `q` matching email or username, `is_active` / `is_verified` /
    /// `is_admin` filters.
    func list(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let page = try PageRequest.from(request.query)
        let isActive = try PageRequest.flag("is_active", in: request.query)
        let isVerified = try PageRequest.flag("is_verified", in: request.query)
        let isAdmin = try PageRequest.flag("is_admin", in: request.query)
        let search = request.query["q"].map(CanonicalForm.of).flatMap { $0.isEmpty ? nil : $0 }
        func query() -> QueryBuilder<User> {
            let query = User.query(on: database.database).filter(\.$createdAt < page.asOf)
            if let isActive { query.filter(\.$isActive == isActive) }
            if let isVerified { query.filter(\.$isVerified == isVerified) }
            if let isAdmin { query.filter(\.$isAdmin == isAdmin) }
            if let search {
                query.group(.or) { group in
                    group.filter(\.$emailCanonical ~~ search).filter(\.$usernameCanonical ~~ search)
                }
            }
            return query
        }
        let total = try await query().count()
        let rows = try await query().sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.limit)).all()
        return .json(200, Page(data: rows.map(AdminUserResponse.init), total: total, request: page))
    }

    struct Detail: Encodable {
        let user: AdminUserResponse
        let subscriptionsCount: Int
        let transactionsCount: Int

        enum CodingKeys: String, CodingKey {
            case user
            case subscriptionsCount = "subscriptions_count"
            case transactionsCount = "transactions_count"
        }
    }

    func get(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let user = try await find(request)
        let counts = try await billing.counts(for: try user.requireID())
        return .json(
            200,
            Detail(
                user: AdminUserResponse(user), subscriptionsCount: counts.subscriptionsCount,
                transactionsCount: counts.transactionsCount))
    }

    struct StatusChange: Codable {
        let is_active: Bool
    }

    /// Deactivating has the effect of `POST /deactivate`: sessions end and every gateway refuses the
    /// user's tokens.
    func status(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let change = try request.decode(StatusChange.self)
        let user = try await find(request)
        let userID = try user.requireID()
        if userID == principal.userID && !change.is_active { throw HTTPFailure(400, "You cannot deactivate your own account") }
        try await record(
            user, .userUpdateStatus, request: request, before: "is_active=\(user.isActive)", after: "is_active=\(change.is_active)"
        ) { user, db in
            user.isActive = change.is_active
            if !change.is_active {
                _ = try await sessions.endAll(of: userID, on: db)
                try await revocations.revokeUser(userID, on: db)
            }
        }
        if !change.is_active { await revocations.deliver() }
        return .json(200, AdminUserResponse(user))
    }

    struct RoleChange: Codable {
        let is_admin: Bool
    }

    /// A demotion takes effect at the next request: gateways stop taking the `admin` claim of the
    /// user's current tokens (the user stays signed in; a refresh gives a token with the new role).
    func role(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let change = try request.decode(RoleChange.self)
        let user = try await find(request)
        let userID = try user.requireID()
        if userID == principal.userID && !change.is_admin { throw HTTPFailure(400, "You cannot remove your own admin role") }
        let wasAdmin = user.isAdmin
        try await record(
            user, .userUpdateRole, request: request, before: "is_admin=\(wasAdmin)", after: "is_admin=\(change.is_admin)"
        ) { user, db in
            user.isAdmin = change.is_admin
            if wasAdmin && !change.is_admin { try await revocations.revokeAdminRole(userID, on: db) }
        }
        if wasAdmin && !change.is_admin { await revocations.deliver() }
        return .json(200, AdminUserResponse(user))
    }

    func verify(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        let user = try await find(request)
        try await record(
            user, .userVerify, request: request, before: "is_verified=\(user.isVerified)", after: "is_verified=true"
        ) { user, _ in user.isVerified = true }
        return .json(200, AdminUserResponse(user))
    }

    /// One admin change: applied, saved and audited in one transaction, then announced to every
    /// Auth instance (the `/me` caches).
    private func record(
        _ user: User, _ kind: AuditEvent.Kind, request: ServiceRequest, before: String, after: String,
        _ apply: @escaping @Sendable (User, any Database) async throws -> Void
    ) async throws {
        let userID = try user.requireID()
        try await database.database.transaction { db in
            try await apply(user, db)
            try await user.save(on: db)
            try await audit.record(kind, userID: userID, request: request, before: before, after: after, on: db)
        }
        users.changed(userID)
    }

    private func find(_ request: ServiceRequest) async throws -> User {
        guard let id = request.pathParameters["user_id"].flatMap(UUID.init(uuidString:)),
            let user = try await User.find(id, on: database.database)
        else { throw HTTPFailure(404, "User not found") }
        return user
    }
}
