import AuthService
import Crypto
import Foundation
import TollgateServiceKit
import Testing
import TollgateConfig
import TollgateSecurity
import TollgateTestSupport

@Suite("Auth building blocks")
struct AuthUnitTests {
    @Test("canonical form: trimmed, NFC, case-folded", arguments: [
        ("  Ada@Example.COM ", "ada@example.com"),
        ("rene\u{301}", "ren\u{E9}"),
        ("REN\u{C9}", "ren\u{E9}"),
        ("Stra\u{DF}e", "strasse"),
        ("STRASSE", "strasse"),
    ])
    func canonical(input: String, expected: String) {
        #expect(CanonicalForm.of(input) == expected)
        #expect(Array(CanonicalForm.of(input).utf8) == Array(expected.utf8), "byte-equal, as the database compares")
    }

    @Test("the first start creates one signing key, readable by its owner only; later starts reuse it")
    func signingKeys() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = SigningKeyStore(directory: folder.path + "/keys")
        let first = try store.loadOrCreate()
        let again = try store.loadOrCreate()
        #expect(first.count == 1)
        #expect(again.map(\.kid) == first.map(\.kid))
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(store.directory)/\(first[0].kid).json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let newer = try store.add(SigningKey.generate(now: Date().addingTimeInterval(60)))
        #expect(try store.load().map(\.kid) == [first[0].kid, newer.kid])
    }

    @Test("tokens Auth issues pass the gateway's verifier, with the newest key's kid")
    func issuedTokensVerify() async throws {
        let older = SigningKey.generate(now: Date().addingTimeInterval(-60))
        let newest = SigningKey.generate()
        let issuer = try await AccessTokenIssuer(
            signingKeys: [older, newest], issuer: "tg", audience: "app", lifetime: .seconds(900))
        let userID = UUID()
        let sessionID = UUID()
        let token = try await issuer.issue(userID: userID, sessionID: sessionID, role: "admin")
        let header = try JSONSerialization.jsonObject(
            with: try #require(Base64URL.decode(token.split(separator: ".")[0]))) as? [String: Any]
        #expect(header?["alg"] as? String == "EdDSA")
        #expect(header?["kid"] as? String == newest.kid)

        let state = TokenState()
        let verifier = AccessTokenVerifier(state: state, issuer: "tg", audience: "app")
        #expect(throws: TokenRejection.unknownKey) { try verifier.verify(token) }
        state.setKey(try newest.publicJWK(), kid: newest.kid)
        let claims = try verifier.verify(token)
        #expect(claims.sub == userID.uuidString.lowercased())
        #expect(claims.sid == sessionID.uuidString.lowercased())
        #expect(claims.role == "admin")
        #expect(claims.exp - claims.iat == 900)
    }

    @Test("a bad Auth setting stops start-up with the variable's name")
    func configuration() {
        #expect(throws: ConfigurationError.self) {
            try AuthConfig.from(["TOLLGATE_ACCESS_TOKEN_TTL": "5", "TOLLGATE_AUTH_DATABASE_URL": "mysql://x"])
        }
        do {
            _ = try AuthConfig.from(["TOLLGATE_ACCESS_TOKEN_TTL": "5", "TOLLGATE_AUTH_DATABASE_URL": "mysql://x"])
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("TOLLGATE_ACCESS_TOKEN_TTL") })
            #expect(error.problems.contains { $0.hasPrefix("TOLLGATE_AUTH_DATABASE_URL") })
        }
    }
}
