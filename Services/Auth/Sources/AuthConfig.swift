import TollgateConfig
import TollgateContracts
import TollgateSecurity

/// Auth's configuration, read once at start from environment variables.
public struct AuthConfig: Sendable {
    public var common: CommonConfig
    public var databaseURL: String
    public var accessTokenLifetime: Duration
    public var refreshTokenLifetime: Duration
    public var sessionLifetime: Duration
    public var verificationLinkLifetime: Duration
    public var passwordResetLifetime: Duration
    public var loginCodeLifetime: Duration
    public var argon2: Argon2Parameters
    /// Where links in emails point (the frontend or the gateway).
    public var publicURL: String
    /// Folder of the signing keys.
    public var keysDirectory: String
    /// How long an Auth instance may answer `/me` from memory (0: always read the database).
    public var userCacheLifetime: Duration
    /// How long after a rotation the rotated refresh token, presented again while its successor is
    /// unused, gets that same successor (tabs at once, a retry after a lost answer). Longer than the
    /// gateway's timeout, so a client that got a 504 can retry.
    public var refreshReuseGrace: Duration
    /// Caps on one-time secrets per account (sends, wrong guesses).
    public var secretLimits: SecretLimits
    /// The starter's later clients: refresh token also in JSON bodies and accepted as `?token=`.
    public var starterRefreshCompat: Bool
    /// Email users about every new sign-in.
    public var newSignInEmail: Bool
    /// The first wait after repeated failed sign-ins for one email; it doubles with each failure.
    public var loginThrottleBase: Duration
    /// Google, GitHub and OpenID Connect providers, and where their sign-ins may return to.
    public var social: SocialSignInConfig
    /// `TOLLGATE_ASSERTION_PUBLIC_KEYS` (or the credentials folder's file): the public halves of the
    /// gateways' assertion keys, served beside the token keys in `/.well-known/jwks.json`.
    public var assertionPublicKeys: [PublicJWK] = []

    /// The refresh cookie is `Secure` outside development.
    public var secureCookies: Bool { common.environment == .production }

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> AuthConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        var config = AuthConfig(
            common: common,
            databaseURL: reader.databaseURL(
                "TOLLGATE_AUTH_DATABASE_URL", default: common.defaultDatabaseURL(service: "auth")),
            accessTokenLifetime: reader.seconds("TOLLGATE_ACCESS_TOKEN_TTL", default: .seconds(900), in: 30...86400),
            refreshTokenLifetime: reader.seconds(
                "TOLLGATE_REFRESH_TOKEN_TTL", default: .seconds(7 * 86400), in: 60...(90 * 86400)),
            sessionLifetime: reader.seconds("TOLLGATE_SESSION_TTL", default: .seconds(30 * 86400), in: 60...(365 * 86400)),
            verificationLinkLifetime: reader.seconds(
                "TOLLGATE_VERIFICATION_TTL", default: .seconds(24 * 3600), in: 60...(30 * 86400)),
            passwordResetLifetime: reader.seconds(
                "TOLLGATE_PASSWORD_RESET_TTL", default: .seconds(30 * 60), in: 60...(24 * 3600)),
            loginCodeLifetime: reader.seconds("TOLLGATE_LOGIN_CODE_TTL", default: .seconds(15 * 60), in: 60...3600),
            argon2: Argon2Parameters(
                memoryKiB: UInt32(
                    reader.int("TOLLGATE_ARGON2_MEMORY_KIB", default: Int(Argon2Parameters().memoryKiB), in: 1024...(4 * 1024 * 1024))),
                iterations: UInt32(
                    reader.int("TOLLGATE_ARGON2_ITERATIONS", default: Int(Argon2Parameters().iterations), in: 1...20)),
                parallelism: UInt32(
                    reader.int("TOLLGATE_ARGON2_PARALLELISM", default: Int(Argon2Parameters().parallelism), in: 1...16))),
            publicURL: common.publicURL,
            keysDirectory: reader.string("TOLLGATE_AUTH_KEYS_DIR", default: common.dataDirectory + "/auth-keys"),
            userCacheLifetime: reader.seconds("TOLLGATE_AUTH_USER_CACHE_TTL", default: .seconds(5), in: 0...3600),
            refreshReuseGrace: reader.seconds("TOLLGATE_REFRESH_REUSE_GRACE", default: .seconds(30), in: 0...300),
            secretLimits: SecretLimits.read(&reader),
            starterRefreshCompat: reader.bool("TOLLGATE_STARTER_REFRESH_COMPAT", default: false),
            newSignInEmail: reader.bool("TOLLGATE_NEW_SIGN_IN_EMAIL", default: false),
            loginThrottleBase: reader.seconds("TOLLGATE_LOGIN_THROTTLE_BASE", default: .seconds(1), in: 1...60),
            social: SocialSignInConfig.read(&reader, publicURL: common.publicURL))
        if let keys = reader.secret("TOLLGATE_ASSERTION_PUBLIC_KEYS", defaultFile: common.credentials.assertionPublicKeys) {
            do {
                config.assertionPublicKeys = try AssertionKeys.publicJWKs(keys.value)
            } catch {
                reader.addProblem("\(keys.source): \(error)")
            }
        }
        try reader.finish()
        return config
    }
}
