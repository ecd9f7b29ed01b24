import Foundation
import JWTKit

/// The claims of an OpenID Connect ID token that sign-in reads.
struct IDTokenClaims: JWTPayload {
    let iss: IssuerClaim
    let sub: SubjectClaim
    let aud: AudienceClaim
    let exp: ExpirationClaim
    let nonce: String?
    let email: String?
    /// A boolean, or (some providers) the text "true".
    let emailVerified: LenientBool?
    let preferredUsername: String?
    let givenName: String?
    let familyName: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, nonce, email
        case emailVerified = "email_verified"
        case preferredUsername = "preferred_username"
        case givenName = "given_name"
        case familyName = "family_name"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

struct LenientBool: Codable, Sendable, Equatable {
    let value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else {
            value = (try? container.decode(String.self))?.lowercased() == "true"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Checks an ID token as OpenID Connect Core §3.1.3.7 asks: signed by one of the issuer's keys
/// (asymmetric algorithms only: jwt-kit refuses `none`, and no shared secret is configured), `iss`
/// the issuer, `aud` including our client id, not expired, and `nonce` the one this flow sent.
enum IDTokenValidator {
    enum Problem: Error, Equatable {
        case signature, issuer, audience, expired, nonce
    }

    static func validate(_ token: String, keys: JWTKeyCollection, issuer: String, clientID: String, nonce: String)
        async throws(Problem) -> IDTokenClaims
    {
        let claims: IDTokenClaims
        do {
            claims = try await keys.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .expired
        } catch {
            throw .signature
        }
        guard claims.iss.value == issuer else { throw .issuer }
        guard claims.aud.value.contains(clientID) else { throw .audience }
        guard let sent = claims.nonce, sent == nonce else { throw .nonce }
        return claims
    }
}
