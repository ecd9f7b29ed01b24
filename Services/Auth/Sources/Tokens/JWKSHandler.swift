import TollgateContracts
import TollgateServiceKit

/// `GET /.well-known/jwks.json`: the public keys that verify Tollgate's access tokens.
struct JWKSHandler: Sendable {
    let tokens: AccessTokenIssuer

    struct KeySet: Encodable {
        let keys: [PublicJWK]
    }

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        ServiceResponse.json(200, KeySet(keys: tokens.publicKeys)).adding(header: "Cache-Control", "public, max-age=300")
    }
}
