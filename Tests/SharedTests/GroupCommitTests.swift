import FluentKit
import Foundation
import Logging
import SQLKit
import Testing
import TollgatePersistence
import TollgateTestSupport

@Suite("Group commit")
struct GroupCommitTests {
    struct Refused: Error, Equatable {}

    struct CreateNotes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await (database as! any SQLDatabase).raw("CREATE TABLE notes (name TEXT PRIMARY KEY)").run()
        }

        func revert(on database: any Database) async throws {
            try await (database as! any SQLDatabase).raw("DROP TABLE notes").run()
        }
    }

    /// Opens once waiters may go on.
    final class Latch: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() { (stream, continuation) = AsyncStream.makeStream() }
        func open() { continuation.finish() }
        func wait() async { for await _ in stream {} }
    }

    /// A database of the test's own with the notes table, shut down however `body` ends.
    static func withNotes(_ engine: DatabaseEngine, _ body: (ServiceDatabase, String) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { testDatabase in
            let database = try await ServiceDatabase.open(
                url: testDatabase.url, migrations: [CreateNotes()], logger: Logger(label: "test"))
            do {
                try await body(database, testDatabase.url)
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
    }

    static func insert(_ name: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("INSERT INTO notes (name) VALUES (\(bind: name))").run()
    }

    static func names(_ database: ServiceDatabase) async throws -> [String] {
        try await database.sql.raw("SELECT name FROM notes ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// Starts a write that holds the writer until `release` opens, and returns once it is running:
    /// writes made meanwhile wait for the next transaction, together.
    static func holdWriter(_ writes: GroupCommit, until release: Latch) async -> Task<Void, any Error> {
        let running = Latch()
        let holder = Task {
            try await writes.write { db in
                running.open()
                await release.wait()
                try await insert("holder", on: db)
            }
        }
        await running.wait()
        return holder
    }

    @Test("writes that wait together share one transaction, and each returns only once it has committed",
        arguments: DatabaseEngine.available)
    func shared(engine: DatabaseEngine) async throws {
        try await Self.withNotes(engine) { database, url in
            // A second connection: it sees only what has committed.
            let observer = try ServiceDatabase(location: try #require(DatabaseLocation(url: url)), logger: Logger(label: "test"))
            do {
                let writes = GroupCommit(database: database, maxRunning: 1)
                let release = Latch()
                let holder = await Self.holdWriter(writes, until: release)
                let first = Task { try await writes.write { db in try await Self.insert("a", on: db); return "a" } }
                _ = try await eventually("the first write waiting") { writes.waitingCount == 1 ? true : nil }
                let second = Task {
                    try await writes.write { db -> Int in
                        try await Self.insert("b", on: db)
                        // "a" was written just before, in this same transaction: not committed yet.
                        return try await Self.names(observer).count
                    }
                }
                _ = try await eventually("both writes waiting") { writes.waitingCount == 2 ? true : nil }
                release.open()
                try await holder.value
                #expect(try await first.value == "a")
                #expect(try await second.value == 1, "only the holder's row had committed")
                #expect(try await Self.names(observer) == ["a", "b", "holder"])
            } catch {
                await observer.shutdown()
                throw error
            }
            await observer.shutdown()
        }
    }

    @Test("a failing write fails alone: the others of its transaction are written once, its own not at all",
        arguments: DatabaseEngine.available)
    func isolated(engine: DatabaseEngine) async throws {
        try await Self.withNotes(engine) { database, _ in
            let writes = GroupCommit(database: database, maxRunning: 1)
            let release = Latch()
            let holder = await Self.holdWriter(writes, until: release)
            let before = Task { try await writes.write { db in try await Self.insert("before", on: db) } }
            let failing = Task {
                try await writes.write { db in
                    try await Self.insert("failing", on: db)
                    throw Refused()
                }
            }
            // Refused by the database rather than in Swift (the holder's key, committed): alone as well.
            let duplicate = Task { try await writes.write { db in try await Self.insert("holder", on: db) } }
            let after = Task { try await writes.write { db in try await Self.insert("after", on: db) } }
            _ = try await eventually("four writes waiting") { writes.waitingCount == 4 ? true : nil }
            release.open()
            try await holder.value
            try await before.value
            try await after.value
            await #expect(throws: Refused.self) { try await failing.value }
            await #expect(throws: (any Error).self) { try await duplicate.value }
            #expect(try await Self.names(database) == ["after", "before", "holder"])
        }
    }

    @Test("writes keep working once many wait at once", arguments: DatabaseEngine.available)
    func many(engine: DatabaseEngine) async throws {
        try await Self.withNotes(engine) { database, _ in
            let writes = GroupCommit(database: database, maxBatch: 8)
            let names = (0..<200).map { String(format: "n%03d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    group.addTask { try await writes.write { db in try await Self.insert(name, on: db) } }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.names(database) == names)
            #expect(writes.waitingCount == 0)
        }
    }
}
