import Foundation
import Testing
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit
import TollgateTestSupport

@Suite("Access tokens at the gateway")
struct AccessTokenTests {
    @Test("every kind of bad token is refused with 401")
    func refusedTokens() async throws {
        try await TestSystem.with { system in
            let signedIn = try await SessionTests.signIn(system, "tokens")
            let (userID, token, refresh) = (signedIn.userID, signedIn.token, signedIn.refresh)
            let forge = try TokenForge(system: system)
            #expect(try await system.client.get("/me", token: token).status == 200)
            #expect(try await system.client.get("/me", token: try forge.sign(forge.claims(userID: userID))).status == 200)

            let now = Date()
            var expired = forge.claims(userID: userID, now: now.addingTimeInterval(-3600))
            expired["exp"] = Int(now.timeIntervalSince1970) - 600
            var wrongAudience = forge.claims(userID: userID)
            wrongAudience["aud"] = "someone-else"
            var wrongIssuer = forge.claims(userID: userID)
            wrongIssuer["iss"] = "evil"
            var noExp = forge.claims(userID: userID)
            noExp.removeValue(forKey: "exp")
            var otherPurpose = forge.claims(userID: userID)
            otherPurpose["typ"] = "verify_email"
            var noTyp = forge.claims(userID: userID)
            noTyp.removeValue(forKey: "typ")

            let parts = token.split(separator: ".").map(String.init)
            var tamperedPayload = forge.claims(userID: userID)
            tamperedPayload["role"] = "admin"
            let tampered = parts[0] + "." + (try forge.sign(tamperedPayload).split(separator: ".")[1]) + "." + parts[2]

            let refused: [(String, String)] = [
                ("tampered payload", tampered),
                ("signature of another token", parts[0] + "." + parts[1] + "." + String(try forge.sign(noTyp).split(separator: ".")[2])),
                ("expired", try forge.sign(expired)),
                ("wrong audience", try forge.sign(wrongAudience)),
                ("wrong issuer", try forge.sign(wrongIssuer)),
                ("alg none", try forge.unsigned(forge.claims(userID: userID))),
                ("alg HS256 keyed with the public key", try forge.signHS256(forge.claims(userID: userID))),
                ("unknown kid", try forge.sign(forge.claims(userID: userID), header: ["alg": "EdDSA", "kid": "nope"])),
                ("no kid", try forge.sign(forge.claims(userID: userID), header: ["alg": "EdDSA"])),
                ("missing exp", try forge.sign(noExp)),
                ("missing typ", try forge.sign(noTyp)),
                ("other purpose", try forge.sign(otherPurpose)),
                ("refresh token as bearer", refresh),
                ("garbage", "not.a.jwt"),
                ("empty", ""),
            ]
            for (name, bad) in refused {
                let response = try await system.client.get("/me", headers: ["Authorization": "Bearer \(bad)"])
                #expect(response.status == 401, "\(name)")
                #expect(response.json["detail"] != nil, "\(name)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(name)")
            }
            let noHeader = try await system.client.get("/me")
            #expect(noHeader.status == 401)
            #expect(noHeader.json["detail"] as? String == "Not authenticated")
            let basic = try await system.client.get("/me", headers: ["Authorization": "Basic dXNlcjpwYXNz"])
            #expect(basic.status == 401)
        }
    }

    @Test("revoking a session or a user refuses its tokens at the gateway")
    func revocations() async throws {
        try await TestSystem.with { system in
            let revoked = try await SessionTests.signIn(system, "revoked")
            let (userID, token) = (revoked.userID, revoked.token)
            let otherToken = try await SessionTests.signIn(system, "survivor").token
            let forge = try TokenForge(system: system)
            let sessionID = UUID().uuidString.lowercased()
            let sessionToken = try forge.sign(forge.claims(userID: userID, sessionID: sessionID))
            #expect(try await system.client.get("/me", token: sessionToken).status == 200)

            // Revocations are Auth's to write.
            let connection = try await system.connect(as: .auth)
            let bucket = try await connection.jetStream().keyValue(SharedBuckets.revocations(system.subjects))
            let revokedAt = Int64(Date().timeIntervalSince1970) + 1
            try await bucket.put(Revocation.sessionKey(sessionID), JSONEncoder().encode(Revocation(revokedAt: revokedAt)))
            _ = try await eventually("session token refused") {
                try await system.client.get("/me", token: sessionToken).status == 401 ? true : nil
            }
            // The user's other session still works until the user is revoked.
            #expect(try await system.client.get("/me", token: token).status == 200)
            try await bucket.put(Revocation.userKey(userID), JSONEncoder().encode(Revocation(revokedAt: revokedAt)))
            let refused = try await eventually("user token refused") {
                let response = try await system.client.get("/me", token: token)
                return response.status == 401 ? response : nil
            }
            #expect(refused.json["detail"] as? String == "Token has been revoked")
            #expect(try await system.client.get("/me", token: otherToken).status == 200)
            await connection.drain()
        }
    }
}
