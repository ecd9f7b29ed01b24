import Crypto
import Foundation
import TollgateServiceKit
import Testing
import TollgateContracts
import TollgateSecurity

@Suite("Access token verification rules")
struct AccessTokenVerifierTests {
    let key = Curve25519.Signing.PrivateKey()
    let state = TokenState()
    var verifier: AccessTokenVerifier { AccessTokenVerifier(state: state, issuer: "tg", audience: "app") }
    let userID = UUID().uuidString.lowercased()

    init() {
        state.setKey(PublicJWK(x: Base64URL.encode(key.publicKey.rawRepresentation), kid: "k1"), kid: "k1")
    }

    func token(_ changes: [String: Any?] = [:], header: [String: Any] = ["alg": "EdDSA", "kid": "k1"], now: Date = Date())
        throws -> String
    {
        let issued = Int(now.timeIntervalSince1970)
        var claims: [String: Any] = [
            "sub": userID, "sid": "s1", "role": "user", "typ": "access", "iss": "tg", "aud": "app", "iat": issued,
            "exp": issued + 60,
        ]
        for (name, value) in changes { claims[name] = value }
        func part(_ object: [String: Any]) throws -> String {
            Base64URL.encode(try JSONSerialization.data(withJSONObject: object))
        }
        let input = try part(header) + "." + part(claims)
        return input + "." + Base64URL.encode(try key.signature(for: Data(input.utf8)))
    }

    @Test("a good token yields its claims")
    func good() throws {
        let claims = try verifier.verify(try token())
        #expect(claims.sub == userID)
        #expect(claims.sid == "s1")
    }

    @Test("each broken rule is its own rejection", arguments: [
        ("exp", TokenRejection.missingClaim("exp")), ("iss", .missingClaim("iss")), ("aud", .missingClaim("aud")),
        ("typ", .missingClaim("typ")), ("sub", .missingClaim("sub")), ("sid", .missingClaim("sid")),
    ])
    func missing(claim: String, rejection: TokenRejection) throws {
        #expect(throws: rejection) { try verifier.verify(try token([claim: nil])) }
    }

    @Test("wrong values and headers are refused")
    func wrong() throws {
        #expect(throws: TokenRejection.wrongType) { try verifier.verify(try token(["typ": "refresh"])) }
        #expect(throws: TokenRejection.wrongIssuer) { try verifier.verify(try token(["iss": "x"])) }
        #expect(throws: TokenRejection.wrongAudience) { try verifier.verify(try token(["aud": "x"])) }
        #expect(throws: TokenRejection.expired) {
            try verifier.verify(try token(["exp": Int(Date().timeIntervalSince1970) - 120]))
        }
        #expect(throws: TokenRejection.unsupportedAlgorithm) {
            try verifier.verify(try token(header: ["alg": "EdDSA", "kid": "k1", "crit": ["exp"]]))
        }
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try verifier.verify(try token(header: ["alg": "ES256", "kid": "k1"])) }
        #expect(throws: TokenRejection.unknownKey) { try verifier.verify(try token(header: ["alg": "EdDSA", "kid": "k2"])) }
        #expect(throws: TokenRejection.malformed) { try verifier.verify("a.b") }
        #expect(throws: TokenRejection.malformed) { try verifier.verify(String(repeating: "a", count: 5000)) }
        #expect(throws: TokenRejection.malformed) { try verifier.verify("e30=.e30=.e30=") }
    }

    @Test("a revocation refuses tokens issued at or before it, not after")
    func revocation() throws {
        let now = Date()
        let old = try token(now: now.addingTimeInterval(-10))
        state.setRevocation(Int64(now.timeIntervalSince1970) - 5, key: Revocation.sessionKey("s1"))
        #expect(throws: TokenRejection.revoked) { try verifier.verify(old) }
        #expect(try verifier.verify(try token(now: now)).sid == "s1")
        state.setRevocation(Int64(now.timeIntervalSince1970), key: Revocation.userKey(userID))
        #expect(throws: TokenRejection.revoked) { try verifier.verify(try token(now: now)) }
    }
}
