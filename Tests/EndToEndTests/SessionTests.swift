import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Sessions: refresh rotation, reuse, logout, deactivation")
struct SessionTests {
    struct SignedIn {
        let userID: String
        let token: String
        let refresh: String
    }

    static func signIn(_ system: TestSystem, _ name: String, register: Bool = true) async throws -> SignedIn {
        if register {
            _ = try await system.client.post(
                "/register", json: ["email": "\(name)@example.com", "username": name, "password": "password-1"])
        }
        let login = try await system.client.post("/login", json: ["email": "\(name)@example.com", "password": "password-1"])
        #expect(login.status == 200)
        return SignedIn(
            userID: (login.json["user"] as? [String: Any])?["id"] as? String ?? "",
            token: try #require(login.json["token"] as? String),
            refresh: try #require(refreshCookie(login)))
    }

    static func refreshCookie(_ response: HTTPResult) -> String? {
        guard let cookie = response.header("Set-Cookie"), cookie.hasPrefix("refresh_token=") else { return nil }
        let value = cookie.dropFirst("refresh_token=".count).prefix { $0 != ";" }
        return value.isEmpty ? nil : String(value)
    }

    static func refresh(_ system: TestSystem, _ token: String) async throws -> HTTPResult {
        try await system.client.send(
            .post, "/refresh-token", headers: ["Cookie": "refresh_token=\(token)", "Content-Type": "application/json"])
    }

    static func liveRefreshTokens(_ system: TestSystem, userID: String) async throws -> Int {
        let database = try system.authDatabase()
        do {
            let sessions = try await Session.query(on: database.database)
                .filter(\.$userID == (UUID(uuidString: userID) ?? UUID())).all().compactMap(\.id)
            let live = try await RefreshToken.query(on: database.database)
                .filter(\.$sessionID ~~ sessions).filter(\.$revokedAt == nil).count()
            await database.shutdown()
            return live
        } catch {
            await database.shutdown()
            throw error
        }
    }

    @Test("each refresh rotates the cookie and gives a working access token; cookie or body", arguments: DatabaseEngine.available)
    func rotation(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let ann = try await Self.signIn(system, "ann")
            let first = try await Self.refresh(system, ann.refresh)
            #expect(first.status == 200)
            #expect(first.json["type"] as? String == "Bearer")
            let next = try #require(Self.refreshCookie(first))
            #expect(next != ann.refresh)
            #expect(first.header("Set-Cookie")?.contains("HttpOnly") == true)
            let token = try #require(first.json["token"] as? String)
            #expect(try await system.client.get("/me", token: token).json["username"] as? String == "ann")

            let byBody = try await system.client.post("/refresh-token", json: ["refresh_token": next])
            #expect(byBody.status == 200)
            #expect(try await Self.liveRefreshTokens(system, userID: ann.userID) == 1)

            #expect(try await system.client.send(.post, "/refresh-token", headers: ["Content-Type": "application/json"]).status == 401)
            #expect(try await Self.refresh(system, "made-up").status == 401)
        }
    }

    @Test("a rotated token presented after the grace window ends the whole session, at the gateway too")
    func reuseEndsSession() async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_REFRESH_REUSE_GRACE"] = "0"
        try await TestSystem.with(options) { system in
            let bob = try await Self.signIn(system, "bob")
            let rotated = try await Self.refresh(system, bob.refresh)
            let current = try #require(Self.refreshCookie(rotated))
            system.clock.advance(by: .seconds(1))

            let reuse = try await Self.refresh(system, bob.refresh)
            #expect(reuse.status == 401)
            #expect(try await Self.refresh(system, current).status == 401, "the thief's token dies with the session")
            _ = try await eventually("access token refused", timeout: .seconds(2)) {
                try await system.client.get("/me", token: bob.token).status == 401 ? true : nil
            }
            #expect(try await Self.liveRefreshTokens(system, userID: bob.userID) == 0)
            // Signing in again starts a fresh session.
            let again = try await Self.signIn(system, "bob", register: false)
            #expect(try await system.client.get("/me", token: again.token).status == 200)
        }
    }

    @Test("tabs refreshing at once all succeed and leave exactly one live refresh token", arguments: DatabaseEngine.available)
    func concurrentRefresh(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let cy = try await Self.signIn(system, "cyd")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 { group.addTask { try await Self.refresh(system, cy.refresh).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 16))
            #expect(try await Self.liveRefreshTokens(system, userID: cy.userID) == 1)
            #expect(try await system.client.get("/me", token: cy.token).status == 200, "nothing was revoked")
        }
    }

    @Test("logout ends this session only; logout-all ends every session, and signing in again works")
    func logout() async throws {
        try await TestSystem.with { system in
            let phone = try await Self.signIn(system, "dee")
            let laptop = try await Self.signIn(system, "dee", register: false)

            let out = try await system.client.send(
                .post, "/logout", headers: ["Authorization": "Bearer \(phone.token)", "Content-Type": "application/json"])
            #expect(out.status == 200)
            #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
            _ = try await eventually("phone token refused", timeout: .seconds(2)) {
                try await system.client.get("/me", token: phone.token).status == 401 ? true : nil
            }
            #expect(try await Self.refresh(system, phone.refresh).status == 401)
            #expect(try await system.client.get("/me", token: laptop.token).status == 200)

            let tablet = try await Self.signIn(system, "dee", register: false)
            let all = try await system.client.send(
                .post, "/logout-all", headers: ["Authorization": "Bearer \(laptop.token)", "Origin": "http://localhost:3000"])
            #expect(all.status == 200)
            _ = try await eventually("every token refused", timeout: .seconds(2)) {
                let laptopStatus = try await system.client.get("/me", token: laptop.token).status
                let tabletStatus = try await system.client.get("/me", token: tablet.token).status
                return laptopStatus == 401 && tabletStatus == 401 ? true : nil
            }
            #expect(try await Self.refresh(system, tablet.refresh).status == 401)
            let fresh = try await Self.signIn(system, "dee", register: false)
            #expect(try await system.client.get("/me", token: fresh.token).status == 200)
        }
    }

    @Test("deactivation: tokens refused at the gateway within a second, refresh refused, login 403")
    func deactivation() async throws {
        try await TestSystem.with { system in
            let eve = try await Self.signIn(system, "eve")
            let deactivated = try await system.client.send(
                .post, "/deactivate", headers: ["Authorization": "Bearer \(eve.token)"])
            #expect(deactivated.status == 202)
            #expect(deactivated.json["message"] as? String == "User deactivated.")
            let started = ContinuousClock.now
            _ = try await eventually("token refused", timeout: .seconds(1), every: .milliseconds(10)) {
                try await system.client.get("/me", token: eve.token).status == 401 ? true : nil
            }
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(try await Self.refresh(system, eve.refresh).status == 401)
            let login = try await system.client.post("/login", json: ["email": "eve@example.com", "password": "password-1"])
            #expect(login.status == 403)
            let wrong = try await system.client.post("/login", json: ["email": "eve@example.com", "password": "password-2"])
            #expect(wrong.status == 401, "an inactive account reveals nothing without its password")
        }
    }
}
