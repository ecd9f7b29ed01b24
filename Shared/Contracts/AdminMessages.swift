import Foundation

/// Billing's numbers for `GET /dashboard/stats` (asked on `Subjects.billingStats`).
public struct BillingStats: Codable, Sendable, Equatable {
    public let subscriptions: Int
    public let payments: Int

    public init(subscriptions: Int, payments: Int) {
        self.subscriptions = subscriptions
        self.payments = payments
    }
}

/// Billing's counts for one user, for `GET /users/{id}` (asked on `Subjects.billingUserCounts`
/// with an `AccountLookup`).
public struct BillingUserCounts: Codable, Sendable, Equatable {
    public let subscriptionsCount: Int
    public let transactionsCount: Int

    public init(subscriptionsCount: Int, transactionsCount: Int) {
        self.subscriptionsCount = subscriptionsCount
        self.transactionsCount = transactionsCount
    }

    enum CodingKeys: String, CodingKey {
        case subscriptionsCount = "subscriptions_count"
        case transactionsCount = "transactions_count"
    }
}

/// One entry of a service's audit log, as `GET /admin/audit` shows it: who did what to whom, the
/// state before and after, from where, in which request, when. Ids are lower-case UUID text.
public struct AuditEntry: Codable, Sendable, Equatable {
    public let id: String
    public let service: String
    public let action: String
    public let actorID: String?
    public let targetID: String?
    public let before: String?
    public let after: String?
    public let ip: String?
    public let requestID: String?
    public let createdAt: Date

    public init(
        id: UUID, service: String, action: String, actorID: UUID?, targetID: UUID?, before: String?, after: String?,
        ip: String?, requestID: String?, createdAt: Date
    ) {
        self.id = id.uuidString.lowercased()
        self.service = service
        self.action = action
        self.actorID = actorID?.uuidString.lowercased()
        self.targetID = targetID?.uuidString.lowercased()
        self.before = before
        self.after = after
        self.ip = ip
        self.requestID = requestID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, service, action, before, after, ip
        case actorID = "actor_id"
        case targetID = "target_id"
        case requestID = "request_id"
        case createdAt = "created_at"
    }
}

/// A request for audit entries on `Subjects.billingAudit`: the newest `limit` entries (before `asOf`)
/// about `userID` (as actor or target) and of `action`, when given.
public struct AuditQuery: Codable, Sendable, Equatable {
    public let userID: UUID?
    public let action: String?
    public let limit: Int
    public let asOf: Date

    public init(userID: UUID?, action: String?, limit: Int, asOf: Date) {
        self.userID = userID
        self.action = action
        self.limit = limit
        self.asOf = asOf
    }

    enum CodingKeys: String, CodingKey {
        case action, limit
        case userID = "user_id"
        case asOf = "as_of"
    }
}

/// A service's answer to an `AuditQuery`: its newest matching entries and how many match in all.
public struct AuditSlice: Codable, Sendable, Equatable {
    public let total: Int
    public let entries: [AuditEntry]

    public init(total: Int, entries: [AuditEntry]) {
        self.total = total
        self.entries = entries
    }
}
