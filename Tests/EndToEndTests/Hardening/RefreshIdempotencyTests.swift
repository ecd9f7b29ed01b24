import Foundation
import Testing
import TollgateTestSupport

@Suite("Concurrent and repeated refreshes keep the session")
struct RefreshIdempotencyTests {
    static func options(grace: Int) -> TestSystem.Options {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_REFRESH_REUSE_GRACE"] = String(grace)
        return options
    }

    @Test("twenty tabs refreshing with one cookie all get the same successor, which still works after the grace",
          arguments: DatabaseEngine.available)
    func tabsAtOnce(engine: DatabaseEngine) async throws {
        try await TestSystem.with(Self.options(grace: 1), engine: engine) { system in
            let user = try await SessionTests.signIn(system, "tabs")
            let answers = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<20 { group.addTask { try await SessionTests.refresh(system, user.refresh) } }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
            #expect(answers.map(\.status) == Array(repeating: 200, count: 20))
            let successors = Set(answers.compactMap(SessionTests.refreshCookie))
            #expect(successors.count == 1, "one successor for every tab, not twenty")
            #expect(try await SessionTests.liveRefreshTokens(system, userID: user.userID) == 1)
            let successor = try #require(successors.first)

            system.clock.advance(by: .seconds(2))  // past the grace
            let next = try await SessionTests.refresh(system, successor)
            #expect(next.status == 200, "the tabs' shared token is the live one: the session goes on")
            #expect(try await system.client.get("/me", token: try #require(next.json["token"] as? String)).status == 200)
        }
    }

    @Test("a token three generations old, replayed within the grace, ends the whole session")
    func oldGeneration() async throws {
        try await TestSystem.with(Self.options(grace: 30)) { system in
            let user = try await SessionTests.signIn(system, "gens")
            var tokens = [user.refresh]
            for _ in 0..<3 {
                let answer = try await SessionTests.refresh(system, try #require(tokens.last))
                tokens.append(try #require(SessionTests.refreshCookie(answer)))
            }
            #expect(try await SessionTests.refresh(system, tokens[2]).status == 200, "the live token's parent is answered")
            #expect(try await SessionTests.refresh(system, tokens[0]).status == 401)
            #expect(try await SessionTests.refresh(system, tokens[3]).status == 401, "the family is over")
            _ = try await eventually("the access token is refused", timeout: .seconds(3)) {
                try await system.client.get("/me", token: user.token).status == 401 ? true : nil
            }
        }
    }
}
