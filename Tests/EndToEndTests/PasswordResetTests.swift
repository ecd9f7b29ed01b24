import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Password reset")
struct PasswordResetTests {
    static let linkMarker = "/reset-password?token="

    static func auditKinds(_ system: TestSystem, userID: String) async throws -> [String] {
        let database = try system.authDatabase()
        let events = try? await AuditEvent.query(on: database.database)
            .filter(\.$userID == Optional(UUID(uuidString: userID) ?? UUID())).sort(\.$createdAt).all()
        await database.shutdown()
        return (events ?? []).map(\.kind)
    }

    @Test("known and unknown emails get the same answer, neither sooner than the uniform time")
    func sameAnswer() async throws {
        try await TestSystem.with { system in
            _ = try await SessionTests.signIn(system, "ria")
            let clock = ContinuousClock()
            var known: HTTPResult?
            let knownTime = try await clock.measure {
                known = try await system.client.post("/forget-password", json: ["email": "RIA@example.com "])
            }
            var unknown: HTTPResult?
            let unknownTime = try await clock.measure {
                unknown = try await system.client.post("/forget-password", json: ["email": "nobody@example.com"])
            }
            #expect(known?.status == 202)
            #expect(unknown?.status == 202)
            #expect(known?.body == unknown?.body)
            #expect(knownTime >= .milliseconds(250))
            #expect(unknownTime >= .milliseconds(250))
            _ = try await Mailbox(system, "ria@example.com").next(containing: Self.linkMarker)
            #expect(system.emails(to: "nobody@example.com").isEmpty)

            let bad = try await system.client.post("/forget-password", json: ["email": "not an email"])
            #expect(bad.status == 422)
            #expect((bad.json["errors"] as? [String: String])?["email"] != nil)
        }
    }

    @Test("the emailed link sets a new password once and ends every session", arguments: DatabaseEngine.available)
    func resetFlow(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            let desk = try await SessionTests.signIn(system, "sam")
            let phone = try await SessionTests.signIn(system, "sam", register: false)
            #expect(try await system.client.post("/forget-password", json: ["email": "sam@example.com"]).status == 202)
            let email = try await Mailbox(system, "sam@example.com").next(containing: Self.linkMarker)
            #expect(email.contains("30 minutes"))
            let token = try #require(Mailbox.value(after: Self.linkMarker, in: email))

            let weak = try await system.client.post("/new-password", json: ["token": token, "password": "short"])
            #expect(weak.status == 422)
            #expect((weak.json["errors"] as? [String: String])?["password"] != nil)
            let identifier = try await system.client.post("/new-password", json: ["token": token, "password": "sam@example.com"])
            #expect(identifier.status == 422, "a refused password leaves the token usable")

            let reset = try await system.client.post("/new-password", json: ["token": token, "password": "fresh-pass-9"])
            #expect(reset.status == 202)
            #expect(reset.json["message"] as? String == "Password has been changed successfully")
            _ = try await Mailbox(system, "sam@example.com").next(containing: "password of your")
            let again = try await system.client.post("/new-password", json: ["token": token, "password": "other-pass-9"])
            #expect(again.status == 400)
            #expect(again.json["detail"] as? String == "Invalid or expired token")

            for session in [desk, phone] {
                _ = try await eventually("session refused at the gateway", timeout: .seconds(2)) {
                    try await system.client.get("/me", token: session.token).status == 401 ? true : nil
                }
                #expect(try await SessionTests.refresh(system, session.refresh).status == 401)
            }
            #expect(try await system.client.post("/login", json: ["email": "sam@example.com", "password": "password-1"]).status == 401)
            #expect(try await system.client.post("/login", json: ["email": "sam@example.com", "password": "fresh-pass-9"]).status == 200)
            let kinds = try await Self.auditKinds(system, userID: desk.userID)
            #expect(kinds.contains("password.reset_requested"))
            #expect(kinds.contains("password.reset"))
        }
    }

    @Test("only the newest link works, an expired one is refused, a made-up one too")
    func newestAndExpired() async throws {
        try await TestSystem.with { system in
            _ = try await SessionTests.signIn(system, "tia")
            let mailbox = Mailbox(system, "tia@example.com")
            _ = try await system.client.post("/forget-password", json: ["email": "tia@example.com"])
            let first = try await mailbox.next(containing: Self.linkMarker)
            _ = try await system.client.post("/forget-password", json: ["email": "tia@example.com"])
            let second = try await mailbox.next(containing: Self.linkMarker, after: [first])
            let firstToken = try #require(Mailbox.value(after: Self.linkMarker, in: first))
            let secondToken = try #require(Mailbox.value(after: Self.linkMarker, in: second))
            #expect(try await system.client.post("/new-password", json: ["token": firstToken, "password": "fresh-pass-9"]).status == 400)

            let database = try system.authDatabase()
            try await VerificationToken.query(on: database.database)
                .filter(\.$purpose == "reset_password").set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            await database.shutdown()
            #expect(try await system.client.post("/new-password", json: ["token": secondToken, "password": "fresh-pass-9"]).status == 400)
            #expect(try await system.client.post("/new-password", json: ["token": "made-up", "password": "fresh-pass-9"]).status == 400)
            #expect(try await system.client.post("/login", json: ["email": "tia@example.com", "password": "password-1"]).status == 200)
        }
    }

    @Test("of concurrent uses of one link exactly one succeeds", arguments: DatabaseEngine.available)
    func concurrentUse(engine: DatabaseEngine) async throws {
        try await TestSystem.with(engine: engine) { system in
            _ = try await SessionTests.signIn(system, "uma")
            _ = try await system.client.post("/forget-password", json: ["email": "uma@example.com"])
            let email = try await Mailbox(system, "uma@example.com").next(containing: Self.linkMarker)
            let token = try #require(Mailbox.value(after: Self.linkMarker, in: email))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await system.client.post("/new-password", json: ["token": token, "password": "racer-pass-\(index)"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 5)
        }
    }
}
