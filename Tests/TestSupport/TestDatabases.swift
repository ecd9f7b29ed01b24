import Foundation
import Logging
import TollgatePersistence

/// The database engines persistence tests run on: SQLite always, PostgreSQL when
/// `TOLLGATE_TEST_POSTGRES_URL` names a server (CI sets it).
public enum DatabaseEngine: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite, postgres

    public var description: String { rawValue }

    public static var available: [DatabaseEngine] {
        TestDatabases.postgresServerURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

/// A database of the test's own: a SQLite file in a temporary folder, or a PostgreSQL database
/// created for the test and dropped afterwards.
public struct TestDatabase: Sendable {
    public let url: String
    private let cleanUp: @Sendable () async -> Void

    public func drop() async { await cleanUp() }

    public static func make(_ engine: DatabaseEngine) async throws -> TestDatabase {
        switch engine {
        case .sqlite:
            let folder = try TemporaryDirectory("tollgate-db")
            return TestDatabase(url: "sqlite://\(folder.path)/test.sqlite", cleanUp: { folder.remove() })
        case .postgres:
            guard let server = TestDatabases.postgresServerURL, var components = URLComponents(string: server) else {
                throw DeadlineExceeded(what: "TOLLGATE_TEST_POSTGRES_URL")
            }
            let name = "tg_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try await TestDatabases.admin { database in
                try await database.sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
            }
            components.path = "/\(name)"
            let url = components.string ?? server
            return TestDatabase(url: url) {
                try? await TestDatabases.admin { database in
                    try await database.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)").run()
                }
            }
        }
    }

    /// Runs `body` with a fresh database, dropping it afterwards.
    public static func with<Value>(_ engine: DatabaseEngine, _ body: (TestDatabase) async throws -> Value)
        async throws -> Value
    {
        let database = try await make(engine)
        do {
            let value = try await body(database)
            await database.drop()
            return value
        } catch {
            await database.drop()
            throw error
        }
    }
}

enum TestDatabases {
    static let postgresServerURL: String? = {
        let value = ProcessInfo.processInfo.environment["TOLLGATE_TEST_POSTGRES_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static func admin(_ body: (ServiceDatabase) async throws -> Void) async throws {
        guard let server = postgresServerURL, let location = DatabaseLocation(url: server) else { return }
        let database = try ServiceDatabase(location: location, logger: Logger(label: "test-admin"))
        do {
            try await body(database)
            await database.shutdown()
        } catch {
            await database.shutdown()
            throw error
        }
    }
}
