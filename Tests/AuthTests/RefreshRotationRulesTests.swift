import FluentKit
import Foundation
import Logging
import Testing
import TollgatePersistence
import TollgateSecurity
import TollgateTestSupport

@testable import AuthService

@Suite("Refresh rotation over time (injected clock)")
struct RefreshRotationRulesTests {
    /// A database with one user, one session and its first refresh token; the rotation under test.
    static func fixture(_ engine: DatabaseEngine, grace: Duration = .seconds(30)) async throws
        -> (TestDatabase, ServiceDatabase, RefreshRotation, String, Date)
    {
        let test = try await TestDatabase.make(engine)
        let database = try await ServiceDatabase.open(url: test.url, migrations: AuthMigrations.all, logger: Logger(label: "test"))
        let user = User(email: "rita@example.com", username: "rita", passwordHash: nil)
        try await user.create(on: database.database)
        let now = Date()
        let sessionID = UUID()
        try await Session.insert(
            id: sessionID, userID: try #require(user.id), lifetime: .seconds(86400), userAgent: nil, ip: nil, now: now,
            on: database.sql)
        let first = SecureRandom.token()
        try await RefreshToken.insert(
            id: UUID(), sessionID: sessionID, tokenHash: TokenHash.of(first), lifetime: .seconds(86400), now: now, on: database.sql)
        let rotation = RefreshRotation(
            database: database, sessions: SessionStore(
                database: database,
                revocations: RevocationOutbox(bucket: "revocations", relay: nil, logger: Logger(label: "test-revocations"))), refreshTokenLifetime: .seconds(86400), grace: grace)
        return (test, database, rotation, first, now)
    }

    static func token(_ outcome: RefreshOutcome) -> String? {
        if case .rotated(_, _, let token) = outcome { return token }
        return nil
    }

    @Test("a retry that comes after the gateway's 10 s timeout gets the same successor; after the grace it ends the session",
          arguments: DatabaseEngine.available)
    func retryAfterTimeout(engine: DatabaseEngine) async throws {
        let (test, database, rotation, first, start) = try await Self.fixture(engine)
        let child = try #require(Self.token(try await rotation.rotate(first, now: start)))
        let retried = try await rotation.rotate(first, now: start.addingTimeInterval(12))
        #expect(Self.token(retried) == child, "the unanswered rotation is answered again")
        let late = try await rotation.rotate(first, now: start.addingTimeInterval(31))
        guard case .reuseDetected = late else { Issue.record("a replay past the grace must end the session: \(late)"); return }
        #expect(try await rotation.rotate(child, now: start.addingTimeInterval(32)) == .invalid, "the session is over")
        await database.shutdown()
        await test.drop()
    }

    @Test("only the immediate parent is answered: once its successor is used, the parent ends the session",
          arguments: DatabaseEngine.available)
    func onlyTheParent(engine: DatabaseEngine) async throws {
        let (test, database, rotation, first, start) = try await Self.fixture(engine)
        let second = try #require(Self.token(try await rotation.rotate(first, now: start)))
        let third = try #require(Self.token(try await rotation.rotate(second, now: start.addingTimeInterval(1))))
        #expect(Self.token(try await rotation.rotate(second, now: start.addingTimeInterval(2))) == third, "the parent of the live token")
        let replay = try await rotation.rotate(first, now: start.addingTimeInterval(3))
        guard case .reuseDetected = replay else { Issue.record("a grandparent must end the session: \(replay)"); return }
        #expect(try await rotation.rotate(third, now: start.addingTimeInterval(4)) == .invalid)
        // Nothing that opens a live token is left in the rows: sealed successors are gone with their use.
        let sealed = try await RefreshToken.query(on: database.database).filter(\.$successorSealed != nil).count()
        #expect(sealed <= 1, "only the newest rotation may hold a sealed successor")
        await database.shutdown()
        await test.drop()
    }

    @Test("the sealed successor opens only with the token it was sealed under, on its own row")
    func sealing() throws {
        let id = UUID()
        let sealed = try SuccessorSeal.seal("next-token", under: "this-token", tokenID: id)
        #expect(SuccessorSeal.open(sealed, under: "this-token", tokenID: id) == "next-token")
        #expect(SuccessorSeal.open(sealed, under: "another-token", tokenID: id) == nil)
        #expect(SuccessorSeal.open(sealed, under: "this-token", tokenID: UUID()) == nil)
        #expect(!sealed.contains("next-token"))
    }
}
