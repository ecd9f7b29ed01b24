import Foundation
import Logging
import TollgatePersistence
import TollgateSecurity
import TollgateTestSupport
import Testing

@testable import AuthService

@Suite("Sign-in rules")
struct LoginRulesTests {
    @Test("the throttle's delay: nothing for 5 failures, then doubling up to 5 minutes")
    func delaySchedule() {
        #expect((0..<5).map { LoginThrottle.delay(afterFailures: $0) } == [0, 0, 0, 0, 0])
        #expect(LoginThrottle.delay(afterFailures: 5) == 1)
        #expect(LoginThrottle.delay(afterFailures: 6) == 2)
        #expect(LoginThrottle.delay(afterFailures: 13) == 256)
        #expect(LoginThrottle.delay(afterFailures: 14) == 300)
        #expect(LoginThrottle.delay(afterFailures: 10_000) == 300)
        #expect(LoginThrottle.delay(afterFailures: 6, base: 30) == 60, "a configured first wait doubles too")
    }

    @Test("the throttle key is the same for every spelling of one email, and not the email itself")
    func throttleKey() {
        #expect(LoginThrottle.key(for: " Ann@Example.com") == LoginThrottle.key(for: "ann@example.com"))
        #expect(LoginThrottle.key(for: "ann@example.com") != LoginThrottle.key(for: "bob@example.com"))
        #expect(!LoginThrottle.key(for: "ann@example.com").contains("ann"))
    }

    @Test("codes are six ASCII digits, leading zeros kept, and spread over the whole range")
    func codeShape() {
        let codes = (0..<2000).map { _ in LoginCodes.newCode() }
        #expect(codes.allSatisfy { $0.count == 6 && $0.allSatisfy { ("0"..."9").contains($0) } })
        #expect(Set(codes).count > 1900)
        #expect(codes.contains { $0.hasPrefix("0") })
    }

    @Test("a code's stored hash depends on the account, so equal codes of two accounts differ")
    func codeHash() {
        let ann = UUID()
        let bob = UUID()
        #expect(LoginCodes.hash("123456", userID: ann) == LoginCodes.hash("123456", userID: ann))
        #expect(LoginCodes.hash("123456", userID: ann) != LoginCodes.hash("123456", userID: bob))
        #expect(LoginCodes.hash("123456", userID: ann) != LoginCodes.hash("123457", userID: ann))
    }

    @Test("stored token hashes are lower-case SHA-256 hex")
    func tokenHash() {
        #expect(TokenHash.of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenHash.of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("random byte strings have the asked length and differ")
    func randomBytes() {
        #expect([0, 1, 7, 8, 9, 32].map { SecureRandom.bytes($0).count } == [0, 1, 7, 8, 9, 32])
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        #expect(SecureRandom.token().count == 43)
    }

    @Test("the uniform answer time holds for answers and for errors")
    func uniformTime() async throws {
        let uniform = UniformAnswerTime(minimum: .milliseconds(100))
        let clock = ContinuousClock()
        let answered = try await clock.measure { _ = try await uniform.run { 1 } }
        let failed = await clock.measure {
            _ = try? await uniform.run { () async throws -> Int in throw CancellationError() }
        }
        #expect(answered >= .milliseconds(100))
        #expect(failed >= .milliseconds(100))
    }
}

@Suite("Sign-in throttle storage")
struct LoginThrottleStorageTests {
    @Test("failures counted in the database throttle the email, and a success clears them")
    func counts() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let database = try await ServiceDatabase.open(
            url: "sqlite://\(folder.path)/auth.sqlite", migrations: AuthMigrations.all, logger: Logger(label: "test"))
        let throttle = LoginThrottle(database: database)
        let start = Date()
        for _ in 0..<5 { try await throttle.recordFailure(email: "ann@example.com", now: start) }
        // Read the way a sign-in reads it: with the account, in one statement.
        func standing(_ email: String, at now: Date) async throws -> LoginThrottle.Standing {
            let lookup = try await SignInLookup.fetch(email, on: database.sql)
            return throttle.standing(failures: lookup?.failures, lastFailureAt: lookup?.last_failure_at, now: now)
        }
        let waited = try await standing("Ann@example.com", at: start.addingTimeInterval(0.2))
        let later = try await standing("ann@example.com", at: start.addingTimeInterval(1.5))
        let other = try await standing("bob@example.com", at: start)
        try await throttle.recordSuccess(email: "ann@example.com")
        let cleared = try await standing("ann@example.com", at: start)
        await database.shutdown()
        #expect(waited == LoginThrottle.Standing(retryAfter: 1, hasFailures: true))
        #expect(later == LoginThrottle.Standing(retryAfter: nil, hasFailures: true))
        #expect(other == LoginThrottle.Standing(retryAfter: nil, hasFailures: false))
        #expect(cleared == LoginThrottle.Standing(retryAfter: nil, hasFailures: false))
    }
}
