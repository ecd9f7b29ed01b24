import TollgateContracts
import TollgateServiceKit

/// `GET /.well-known/jwks.json`: the public keys that verify Tollgate's access tokens, then those
/// that verify the gateways' `X-Tollgate-Assertion` headers (key ids `assertion-…`). Only the token
/// keys go to the bucket the gateways read, so an assertion key never verifies an access token.
struct JWKSHandler: Sendable {
    let tokens: AccessTokenIssuer
    let assertionKeys: [PublicJWK]

    struct KeySet: Encodable {
        let keys: [PublicJWK]
    }

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        ServiceResponse.json(200, KeySet(keys: tokens.publicKeys + assertionKeys)).adding(header: "Cache-Control", "public, max-age=300")
    }
}
