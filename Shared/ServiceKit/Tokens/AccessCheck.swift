import Foundation
import Logging
import ServiceLifecycle
import TollgateConfig
import TollgateContracts
import TollgateMessaging

/// A service's own check of the access token a signed-in request carries, with the same verifier
/// (and the same answers) as the gateway's: the gateway's word alone opens nothing, so a stolen
/// gateway credential without a user's token cannot make a service act for that user.
public struct AccessCheck: Sendable {
    let verifier: AccessTokenVerifier
    let watcher: TokenStateWatcher
    let state: TokenState
    let subjects: Subjects

    /// How long a request that arrives before the keys and revocations were first read may wait
    /// for them (a service just started), instead of being refused.
    public static let loadWait: Duration = .seconds(3)
    public static let keysNotRead = "Signing keys not read yet; try again"

    public init(jetStream: JetStream, config: CommonConfig, logger: Logger) {
        let subjects = Subjects(prefix: config.prefix)
        let state = TokenState()
        self.state = state
        self.subjects = subjects
        verifier = AccessTokenVerifier(state: state, issuer: config.jwtIssuer, audience: config.jwtAudience)
        watcher = TokenStateWatcher(jetStream: jetStream, subjects: subjects, state: state, logger: logger)
    }

    /// Keeps the keys and revocations current: run it with the service.
    public var service: any Service { watcher }

    /// True once the keys and revocations have been read.
    var isLoaded: Bool { watcher.isLoaded }

    /// The verified caller, or 401 as the gateway answers it.
    func principal(of request: ServiceRequest) async throws -> Principal {
        try Self.principal(try await claims(of: request))
    }

    /// The verified caller if an administrator, 403 otherwise.
    func administrator(of request: ServiceRequest) async throws -> Principal {
        let claims = try await claims(of: request)
        guard verifier.isAdmin(claims) else { throw HTTPFailure(403, "User does not have admin privileges") }
        return try Self.principal(claims)
    }

    private static func principal(_ claims: AccessTokenClaims) throws -> Principal {
        // The verifier refuses a `sub` that is not a UUID; this only keeps that promise visible.
        guard let userID = UUID(uuidString: claims.sub) else { throw HTTPFailure(401, TokenRejection.malformed.detail) }
        return Principal(userID: userID, sessionID: claims.sid, role: claims.role)
    }

    private func claims(of request: ServiceRequest) async throws -> AccessTokenClaims {
        guard let token = request.accessToken else {
            throw HTTPFailure(401, "Not authenticated", headers: [("WWW-Authenticate", "Bearer")])
        }
        // Not the token's fault when the keys are missing: the client is told to come back rather
        // than that it is signed out.
        guard await state.waitUntilLoaded(SharedBuckets.judgingTokens(subjects), upTo: Self.loadWait) else {
            throw HTTPFailure(503, Self.keysNotRead, headers: [("Retry-After", "1")])
        }
        do {
            return try verifier.verify(token)
        } catch {
            throw HTTPFailure(401, error.detail, headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        }
    }
}
