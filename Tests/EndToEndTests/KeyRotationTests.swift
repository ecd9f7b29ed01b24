import Foundation
import Testing
import TollgateSecurity
import TollgateTestSupport

@Suite("tollgate-auth rotate-key")
struct KeyRotationTests {
    static func kid(of token: String) throws -> String? {
        let header = try #require(Base64URL.decode(String(token.split(separator: ".")[0])))
        return (try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String
    }

    @Test("new tokens carry the new key, tokens of the old one keep working, the key set lists both")
    func rotate() async throws {
        try await TestSystem.with { system in
            let before = try await SessionTests.signIn(system, "kit")
            let oldKid = try #require(try Self.kid(of: before.token))

            var environment = system.environment
            environment["TOLLGATE_LOG_LEVEL"] = "error"
            let rotation = try AuthCommandLine.run(["rotate-key"], environment: environment)
            #expect(rotation.status == 0, "\(rotation.output)")
            #expect(rotation.output.contains("signing with"))

            // The announcement reaches the Auth instance asynchronously.
            let after = try await eventually("a token signed with the new key") {
                let signedIn = try await SessionTests.signIn(system, "kit", register: false)
                return try Self.kid(of: signedIn.token) != oldKid ? signedIn : nil
            }
            let newKid = try #require(try Self.kid(of: after.token))
            #expect(try await system.client.get("/me", token: after.token).status == 200)
            #expect(try await system.client.get("/me", token: before.token).status == 200, "old tokens stay valid")
            let refreshed = try await SessionTests.refresh(system, before.refresh)
            #expect(try Self.kid(of: try #require(refreshed.json["token"] as? String)) == newKid)

            let jwks = try await system.client.get("/.well-known/jwks.json")
            let kids = (jwks.json["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String } ?? []
            #expect(kids.filter { !$0.hasPrefix("assertion-") } == [oldKid, newKid])
            #expect(kids.last?.hasPrefix("assertion-") == true, "the gateways' assertion key follows the token keys")
        }
    }
}
