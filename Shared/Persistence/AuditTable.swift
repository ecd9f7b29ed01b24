import SQLKit
import TollgateContracts

/// A service's audit table as an `AuditQuery` reads it (the admin timeline): rows from before the
/// query's `as_of`, about the user in any of `userColumns`, of one action, newest first (then by
/// id), and how many match in all. Each service keeps its own table; this is how any of them is read.
public struct AuditTable: Sendable {
    public let name: String
    public let actionColumn: String
    public let userColumns: [String]

    public init(name: String, actionColumn: String, userColumns: [String]) {
        self.name = name
        self.actionColumn = actionColumn
        self.userColumns = userColumns
    }

    public func read<Row: Decodable>(_ query: AuditQuery, as row: Row.Type, on sql: any SQLDatabase) async throws
        -> (total: Int, rows: [Row])
    {
        func matching(_ builder: SQLSelectBuilder) -> SQLSelectBuilder {
            builder.from(name).where("created_at", .lessThan, query.asOf)
            if let user = query.userID {
                builder.where { group in
                    for column in userColumns { group.orWhere(SQLColumn(column), .equal, SQLBind(user)) }
                    return group
                }
            }
            if let action = query.action { builder.where(SQLColumn(actionColumn), .equal, SQLBind(action)) }
            return builder
        }
        let total = try await matching(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n"))
            .first(decoding: MatchCount.self)?.n ?? 0
        let rows = try await matching(sql.select().column("*"))
            .orderBy("created_at", .descending).orderBy("id", .descending).limit(query.limit).all(decoding: Row.self)
        return (total, rows)
    }

    private struct MatchCount: Decodable {
        let n: Int
    }
}
