import Crypto
import Foundation
import Testing
import TollgateSecurity
import TollgateTestSupport

@Suite("Session list and the public key set")
struct SessionListTests {
    @Test("GET /sessions lists live sessions with the current one marked; DELETE ends one (404 for others')")
    func sessions() async throws {
        try await TestSystem.with { system in
            let laptop = try await SessionTests.signIn(system, "jan")
            let phone = try await SessionTests.signIn(system, "jan", register: false)
            let other = try await SessionTests.signIn(system, "kim")

            let listed = try await system.client.get("/sessions", token: laptop.token, headers: ["User-Agent": "Laptop"])
            #expect(listed.status == 200)
            #expect(listed.jsonArray.count == 2)
            #expect(listed.jsonArray.filter { $0["current"] as? Bool == true }.count == 1)
            let phoneSession = try #require(listed.jsonArray.first { $0["current"] as? Bool == false }?["id"] as? String)

            let kimsSessions = try await system.client.get("/sessions", token: other.token)
            let kimsSession = try #require(kimsSessions.jsonArray.first?["id"] as? String)
            let notMine = try await system.client.send(
                .delete, "/sessions/\(kimsSession)", headers: ["Authorization": "Bearer \(laptop.token)"])
            #expect(notMine.status == 404)
            #expect(try await system.client.get("/me", token: other.token).status == 200)

            let ended = try await system.client.send(
                .delete, "/sessions/\(phoneSession)", headers: ["Authorization": "Bearer \(laptop.token)"])
            #expect(ended.status == 204)
            _ = try await eventually("phone token refused", timeout: .seconds(2)) {
                try await system.client.get("/me", token: phone.token).status == 401 ? true : nil
            }
            #expect(try await system.client.get("/sessions", token: laptop.token).jsonArray.count == 1)
            #expect(try await system.client.send(
                .delete, "/sessions/not-a-uuid", headers: ["Authorization": "Bearer \(laptop.token)"]).status == 404)
        }
    }

    @Test("/.well-known/jwks.json publishes the key that verifies issued tokens")
    func jwks() async throws {
        try await TestSystem.with { system in
            let lee = try await SessionTests.signIn(system, "lee")
            let response = try await system.client.get("/.well-known/jwks.json")
            #expect(response.status == 200)
            let keys = try #require(response.json["keys"] as? [[String: Any]])
            let parts = lee.token.split(separator: ".")
            let headerData = try #require(Base64URL.decode(parts[0]))
            let header = try #require(try JSONSerialization.jsonObject(with: headerData) as? [String: Any])
            let key = try #require(keys.first { $0["kid"] as? String == header["kid"] as? String })
            #expect(key["kty"] as? String == "OKP")
            #expect(key["crv"] as? String == "Ed25519")
            #expect(key["d"] == nil, "never the private part")
            let x = try #require(key["x"] as? String)
            let raw = try #require(Base64URL.decode(x))
            let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
            let signature = try #require(Base64URL.decode(parts[2]))
            #expect(publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
        }
    }
}
