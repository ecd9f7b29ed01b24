import Foundation
import Testing
import TollgateTestSupport

@Suite("Profile")
struct ProfileTests {
    static func patch(_ system: TestSystem, _ token: String, _ body: String) async throws -> HTTPResult {
        try await system.client.send(
            .patch, "/me/profile", headers: ["Authorization": "Bearer \(token)"], body: Data(body.utf8))
    }

    @Test("a new user's profile is empty; PATCH sets, keeps what is missing, clears what is null, validates")
    func profile() async throws {
        try await TestSystem.with { system in
            let max = try await SessionTests.signIn(system, "max")
            let empty = try await system.client.get("/me/profile", token: max.token)
            #expect(empty.status == 200)
            #expect(empty.text.contains(#""first_name":null"#))
            #expect(Set(empty.json.keys) == ["first_name", "last_name", "avatar_url", "bio"])

            let set = try await Self.patch(
                system, max.token, #"{"first_name":"Max","bio":"Hi","avatar_url":"https://example.com/a.png"}"#)
            #expect(set.status == 200)
            #expect(set.json["first_name"] as? String == "Max")
            let kept = try await Self.patch(system, max.token, #"{"last_name":"Planck","bio":null}"#)
            #expect(kept.json["first_name"] as? String == "Max", "missing fields are kept")
            #expect(kept.json["last_name"] as? String == "Planck")
            #expect(kept.text.contains(#""bio":null"#), "null clears")
            #expect(try await system.client.get("/me/profile", token: max.token).json["last_name"] as? String == "Planck")

            let bad = try await Self.patch(
                system, max.token,
                #"{"avatar_url":"javascript:alert(1)","first_name":"\#(String(repeating: "x", count: 101))"}"#)
            #expect(bad.status == 422)
            #expect(Set((bad.json["errors"] as? [String: String])?.keys ?? [:].keys) == ["avatar_url", "first_name"])
            #expect(try await Self.patch(system, max.token, #"{"bio":42}"#).status == 422)
            #expect(try await system.client.get("/me/profile").status == 401)
        }
    }
}
