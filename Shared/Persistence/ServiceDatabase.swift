import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import TollgateConfig

/// A service's own database (SQLite by default, PostgreSQL in production), with its migrations.
public final class ServiceDatabase: Sendable {
    private let databases: Databases
    private let threadPool: NIOThreadPool
    private let eventLoop: any EventLoop
    private let logger: Logger
    public let location: DatabaseLocation
    /// Where a transaction's statements are best awaited from (`ThreadPoolExecutor`): SQLite's
    /// thread; nil for PostgreSQL, whose driver answers on its event loops.
    let transactionExecutor: (any TaskExecutor)?

    public init(location: DatabaseLocation, logger: Logger) throws {
        self.location = location
        self.logger = logger
        // SQLite runs one statement at a time on its single connection: one thread is all it uses.
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        transactionExecutor = location.isSQLite ? ThreadPoolExecutor(pool: threadPool) : nil
        let group = MultiThreadedEventLoopGroup.singleton
        databases = Databases(threadPool: threadPool, on: group)
        // SQLite allows one writer: bind every query to one event loop and one connection. With more,
        // a second writer spins in sqlite-nio's busy handler (it retries at once, forever) on the
        // threads the first writer needs to finish: measured, Stripe events applied at ~100/s.
        eventLoop = group.next()
        switch location {
        case .sqliteFile(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1, sqlLogLevel: nil), as: .sqlite)
        case .sqliteMemory:
            databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
        case .postgres(let url):
            databases.use(
                try .postgres(configuration: .init(url: url), maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace),
                as: .psql)
        }
    }

    /// Opens the database a configuration names (already validated) and applies its migrations.
    public static func open(url: String, migrations: [any Migration], logger: Logger) async throws -> ServiceDatabase {
        guard let location = DatabaseLocation(url: url) else {
            throw DatabaseURLError(url: redactedURL(url))
        }
        let database = try ServiceDatabase(location: location, logger: logger)
        do {
            try await database.migrate(migrations)
        } catch {
            await database.shutdown()
            throw error
        }
        return database
    }

    /// Opens the database and hands it to `assemble`; if assembling throws (NATS refuses, a bucket
    /// cannot be made), the database is shut down before the error goes on, so that a failed
    /// start ends with its message rather than a crash in the pool's deinit.
    public static func open<Assembled>(
        url: String, migrations: [any Migration], logger: Logger,
        then assemble: (ServiceDatabase) async throws -> Assembled
    ) async throws -> Assembled {
        let database = try await open(url: url, migrations: migrations, logger: logger)
        do {
            return try await assemble(database)
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// The database handle queries run on.
    public var database: any Database {
        // `database(…)` only returns nil after shutdown, which callers never outlive.
        databases.database(logger: logger, on: eventLoop)!
    }

    public var sql: any SQLDatabase {
        database as! any SQLDatabase
    }

    /// How long a SQLite statement waits for a lock another process holds before it fails (and its
    /// request is answered 503). sqlite-nio's own busy handler retries at once and forever.
    public static let sqliteBusyTimeoutMilliseconds = 5000

    /// Runs every migration not yet applied (and SQLite's write-ahead log, so readers never wait).
    public func migrate(_ migrations: [any Migration]) async throws {
        if case .sqliteFile = location {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            // On the one pooled connection, which lives as long as the service.
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.sqliteBusyTimeoutMilliseconds))").run()
        }
        let list = Migrations()
        list.add(migrations)
        let migrator = Migrator(databases: databases, migrations: list, logger: logger, on: eventLoop)
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public let url: String
    public var description: String { "not a database URL: \(url)" }
}
