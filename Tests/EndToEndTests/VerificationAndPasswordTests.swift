import AuthService
import FluentKit
import Foundation
import Testing
import TollgateTestSupport

@Suite("Email verification and password change")
struct VerificationAndPasswordTests {
    /// The verification link's token from the newest email to `address` (the text part).
    static func linkToken(_ system: TestSystem, _ address: String, count: Int = 1) async throws -> String {
        let email = try await eventually("\(count) verification email(s) for \(address)") {
            let emails = system.emails(to: address)
            return emails.count >= count ? emails : nil
        }
        let tokens = email.compactMap { MimeParts.decodedBodies(of: $0).first }
            .compactMap { text in text.range(of: "/verify?token=").map { text[$0.upperBound...].prefix { !$0.isWhitespace } } }
        let sorted = tokens.map(String.init)
        return try #require(sorted.last)
    }

    @Test("the emailed link verifies once; again is 'already verified'; a made-up token is 400")
    func verification() async throws {
        try await TestSystem.with { system in
            let fay = try await SessionTests.signIn(system, "fay")
            let token = try await Self.linkToken(system, "fay@example.com")

            let verified = try await system.client.get("/verify?token=\(token)")
            #expect(verified.status == 202)
            #expect(verified.json["message"] as? String == "Email is Verified")
            let again = try await system.client.get("/verify?token=\(token)")
            #expect(again.status == 202)
            #expect(again.json["message"] as? String == "Email is already Verified")
            #expect(try await system.client.get("/verify?token=nope").status == 400)
            #expect(try await system.client.get("/verify").status == 400)

            let resend = try await system.client.send(.post, "/request/verify", headers: ["Authorization": "Bearer \(fay.token)"])
            #expect(resend.status == 202)
            #expect(resend.json["message"] as? String == "Email is already Verified")
        }
    }

    @Test("asking again sends a new working link; an expired link is refused")
    func resendAndExpiry() async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_VERIFICATION_TTL"] = "60"
        try await TestSystem.with(options) { system in
            let gus = try await SessionTests.signIn(system, "gus")
            let first = try await Self.linkToken(system, "gus@example.com")
            let resend = try await system.client.send(.post, "/request/verify", headers: ["Authorization": "Bearer \(gus.token)"])
            #expect(resend.status == 202)
            #expect(resend.json["message"] as? String == "New Verification Email has been sent")
            let emails = try await eventually("second email") {
                system.emails(to: "gus@example.com").count >= 2 ? true : nil
            }
            #expect(emails)
            let tokens = system.emails(to: "gus@example.com").compactMap { MimeParts.decodedBodies(of: $0).first }
            #expect(Set(tokens).count == 2)
            #expect(try await system.client.get("/verify?token=\(first)").status == 202, "the first link still works")

            _ = try await SessionTests.signIn(system, "ivy")
            let late = try await Self.linkToken(system, "ivy@example.com")
            let database = try system.authDatabase()
            try await VerificationToken.query(on: database.database)
                .set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            await database.shutdown()
            let expired = try await system.client.get("/verify?token=\(late)")
            #expect(expired.status == 400)
            #expect(expired.json["detail"] as? String == "Invalid or expired token")
        }
    }

    @Test("change-password: wrong old password 403, weak new 422, success ends the other sessions only")
    func changePassword() async throws {
        try await TestSystem.with { system in
            let desk = try await SessionTests.signIn(system, "hal")
            let phone = try await SessionTests.signIn(system, "hal", register: false)
            let auth = ["Authorization": "Bearer \(desk.token)"]

            let wrong = try await system.client.send(
                .post, "/change-password", headers: auth,
                body: try JSONSerialization.data(withJSONObject: ["old_password": "nope-nope", "new_password": "brand-new-pass"]))
            #expect(wrong.status == 403)
            let weak = try await system.client.send(
                .post, "/change-password", headers: auth,
                body: try JSONSerialization.data(withJSONObject: ["old_password": "password-1", "new_password": "short"]))
            #expect(weak.status == 422)
            #expect((weak.json["errors"] as? [String: String])?["new_password"] != nil)

            let changed = try await system.client.send(
                .post, "/change-password", headers: auth,
                body: try JSONSerialization.data(withJSONObject: ["old_password": "password-1", "new_password": "brand-new-pass"]))
            #expect(changed.status == 200)
            _ = try await eventually("the phone's session ended", timeout: .seconds(2)) {
                try await system.client.get("/me", token: phone.token).status == 401 ? true : nil
            }
            #expect(try await SessionTests.refresh(system, phone.refresh).status == 401)
            #expect(try await system.client.get("/me", token: desk.token).status == 200, "this session stays")
            #expect(try await SessionTests.refresh(system, desk.refresh).status == 200)

            let notice = try await Mailbox(system, "hal@example.com").next(containing: "password of your")
            #expect(notice.contains("127.0.0.1"), "says from where")
            let old = try await system.client.post("/login", json: ["email": "hal@example.com", "password": "password-1"])
            #expect(old.status == 401)
            let new = try await system.client.post("/login", json: ["email": "hal@example.com", "password": "brand-new-pass"])
            #expect(new.status == 200)
        }
    }

    @Test("with TOLLGATE_NEW_SIGN_IN_EMAIL every sign-in is announced by email, with the device")
    func newSignInEmail() async throws {
        var options = TestSystem.Options()
        options.environment["TOLLGATE_NEW_SIGN_IN_EMAIL"] = "true"
        try await TestSystem.with(options) { system in
            _ = try await system.client.post(
                "/register", json: ["email": "ned@example.com", "username": "ned", "password": "password-1"])
            let login = try await system.client.send(
                .post, "/login", headers: ["Content-Type": "application/json", "User-Agent": "NedBrowser/1.0"],
                body: try JSONSerialization.data(withJSONObject: ["email": "ned@example.com", "password": "password-1"]))
            #expect(login.status == 200)
            let notice = try await Mailbox(system, "ned@example.com").next(containing: "signed in to")
            #expect(notice.contains("NedBrowser/1.0"))
        }
    }
}
