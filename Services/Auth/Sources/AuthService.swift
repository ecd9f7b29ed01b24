import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgatePersistence
import TollgateSecurity
import TollgateServiceKit

/// The Auth executable's parts, wired together: its routes, its outbox relay and its database.
public struct AuthService: Sendable {
    public let router: ServiceRouter
    public let relay: OutboxRelay
    public let database: ServiceDatabase
    let userChanges: BroadcastListener
    let keyReloader: BroadcastListener
    let access: AccessCheck

    /// Every long-running part, for a ServiceGroup.
    public var services: [any Service] { [relay, userChanges, keyReloader, access.service, router] }

    /// `clock`: the time the service reads (tests move their own forward).
    public static func start(
        config: AuthConfig, connection: NatsConnection, logger: Logger, clock: TimeSource = .system
    ) async throws -> AuthService
    {
        let subjects = Subjects(prefix: config.common.prefix)
        let outbox = EmailOutbox(subjects: subjects, sealer: try config.common.emailSealer())
        return try await ServiceDatabase.open(
            url: config.databaseURL, migrations: AuthMigrations.all, logger: logger
        ) { database in

            let jetStream = try connection.jetStream()
            let replication = config.common.replication
            try await StreamSetup.createStreams(StreamSetup.owned(by: .auth, subjects, replication), on: jetStream)
            let keyStore = SigningKeyStore(directory: config.keysDirectory)
            let signingKeys = try keyStore.loadOrCreate()
            let jwks = try await StreamSetup.openBucket(SharedBuckets.jwks(subjects, replication), on: jetStream)
            try await JWKSPublisher(bucket: jwks).publish(signingKeys)
            let tokens = try await AccessTokenIssuer(
                signingKeys: signingKeys, issuer: config.common.jwtIssuer, audience: config.common.jwtAudience,
                lifetime: config.accessTokenLifetime)

            let hasher = PasswordHasher(parameters: config.argon2)
            let relay = OutboxRelay(database: database, jetStream: jetStream, logger: logger)
            let cookie = RefreshCookie(secure: config.secureCookies, maxAgeSeconds: config.refreshTokenLifetime.components.seconds)
            let answers = TokenAnswers(cookie: cookie, refreshTokenInBody: config.starterRefreshCompat)
            let audit = AuditLog(database: database)
            let securityEmails = SecurityEmails(outbox: outbox, relay: relay, newSignInEnabled: config.newSignInEmail)
            let sessions = SessionIssuer(
                database: database, tokens: tokens, audit: audit, emails: securityEmails, sessionLifetime: config.sessionLifetime,
                refreshTokenLifetime: config.refreshTokenLifetime)

            let counters = AccountCounters(database: database)
            let passwords = PasswordPolicy(productName: config.common.productName)
            let allowance = MailAllowance(counters: counters, limits: config.secretLimits, audit: audit)
            let verification = EmailVerification(
                database: database, outbox: outbox, publicURL: config.publicURL,
                linkLifetime: config.verificationLinkLifetime, allowance: allowance)
            let registration = RegistrationHandler(
                registration: Registration(database: database, hasher: hasher, verification: verification), relay: relay,
                passwords: passwords)
            let login = LoginHandler(
                login: PasswordLogin(
                    database: database, hasher: hasher, throttle: LoginThrottle(
                        database: database, base: TimeInterval(config.loginThrottleBase.components.seconds)), audit: audit,
                    counters: counters),
                sessions: sessions, answers: answers)
            let users = UserDirectory(
                database: database, cache: UserCache(lifetime: config.userCacheLifetime), connection: connection,
                subjects: subjects, logger: logger)
            let me = MeHandler(users: users)
            let revocationsBucket = try await StreamSetup.openBucket(
                SharedBuckets.revocations(subjects, replication), on: jetStream)
            let revocations = RevocationOutbox(bucket: revocationsBucket.name, relay: relay, logger: logger)
            let sessionStore = SessionStore(database: database, revocations: revocations)
            let sessionHandlers = SessionHandlers(
                rotation: RefreshRotation(
                    database: database, sessions: sessionStore, refreshTokenLifetime: config.refreshTokenLifetime,
                    grace: config.refreshReuseGrace),
                sessions: sessionStore, revocations: revocations, tokens: tokens, database: database, answers: answers,
                audit: audit, clock: clock, logger: logger)
            let verificationHandlers = VerificationHandlers(verification: verification, users: users, relay: relay)
            let changePassword = ChangePasswordHandler(
                database: database, hasher: hasher, sessions: sessionStore, revocations: revocations, audit: audit,
                emails: securityEmails, passwords: passwords)
            let sessionList = SessionListHandlers(database: database, sessions: sessionStore, revocations: revocations)
            let jwksHandler = JWKSHandler(tokens: tokens, assertionKeys: config.assertionPublicKeys)
            let profiles = ProfileHandlers(database: database)
            let deactivate = DeactivateHandler(
                database: database, sessions: sessionStore, revocations: revocations, users: users, cookie: cookie,
                audit: audit)
            let mailOnRequest = MailOnRequest(relay: relay, uniformTime: UniformAnswerTime())
            let passwordReset = PasswordResetHandlers(
                reset: PasswordReset(
                    database: database, hasher: hasher, sessions: sessionStore, audit: audit, emails: securityEmails,
                    outbox: outbox,
                    publicURL: config.publicURL, linkLifetime: config.passwordResetLifetime, allowance: allowance,
                    passwords: passwords),
                users: users, revocations: revocations, mailOnRequest: mailOnRequest)
            let loginCodes = LoginCodeHandlers(
                codes: LoginCodes(
                    database: database, audit: audit, outbox: outbox, lifetime: config.loginCodeLifetime, allowance: allowance),
                sessions: sessions, answers: answers, users: users, mailOnRequest: mailOnRequest,
                uniformTime: UniformAnswerTime())

            let access = AccessCheck(jetStream: jetStream, config: config.common, logger: logger)
            let router = ServiceRouter(
                connection: connection, service: .auth, subjects: subjects, logger: logger, access: access,
                maxInFlight: config.common.maxRequestsInFlight, clock: clock,
                isUnavailable: DatabaseAvailability.isUnavailable)
            router.serve(AuthEndpoints.register, AuthAPI.register, registration.handle)
            router.serve(AuthEndpoints.login, AuthAPI.login, login.handle)
            router.serve(AuthEndpoints.me, AuthAPI.me, me.handle)
            router.serve(AuthEndpoints.refresh, AuthAPI.refresh, sessionHandlers.refresh)
            router.serve(AuthEndpoints.logout, AuthAPI.logout, sessionHandlers.logout)
            router.serve(AuthEndpoints.logoutAll, AuthAPI.logoutAll, sessionHandlers.logoutAll)
            router.serve(AuthEndpoints.deactivate, AuthAPI.deactivate, deactivate.handle)
            router.serve(AuthEndpoints.requestVerify, AuthAPI.requestVerify, verificationHandlers.request)
            router.serve(AuthEndpoints.verify, AuthAPI.verify, verificationHandlers.verify)
            router.serve(AuthEndpoints.changePassword, AuthAPI.changePassword, changePassword.handle)
            router.serve(AuthEndpoints.sessions, AuthAPI.sessions, sessionList.list)
            router.serve(AuthEndpoints.sessionDelete, AuthAPI.sessionDelete, sessionList.delete)
            router.serve(AuthEndpoints.jwks, AuthAPI.jwks, jwksHandler.handle)
            router.serve(AuthEndpoints.profileGet, AuthAPI.profileGet, profiles.get)
            router.serve(AuthEndpoints.profileUpdate, AuthAPI.profileUpdate, profiles.patch)
            router.serve(AuthEndpoints.forgetPassword, AuthAPI.forgetPassword, passwordReset.forget)
            router.serve(AuthEndpoints.newPassword, AuthAPI.newPassword, passwordReset.newPassword)
            router.serve(AuthEndpoints.requestLoginCode, AuthAPI.requestLoginCode, loginCodes.request)
            router.serve(AuthEndpoints.loginCode, AuthAPI.loginCode, loginCodes.login)
            router.on(subjects.authAccountLookup, AccountLookupHandler(database: database).handle)
            let social = SocialSignInHandlers(
                config: config.social, flows: OAuthFlows(database: database), accounts: SocialAccounts(database: database),
                sessions: sessions, answers: answers, stateCookie: OAuthStateCookie(secure: config.secureCookies),
                http: ProviderHTTP(), metadata: OpenIDMetadataCache(), logger: logger)
            router.serve(AuthEndpoints.googleLogin, AuthAPI.socialLogin, social.login("google"))
            router.serve(AuthEndpoints.googleCallback, AuthAPI.socialCallback, social.callback("google"))
            router.serve(AuthEndpoints.gitHubLogin, AuthAPI.socialLogin, social.login("github"))
            router.serve(AuthEndpoints.gitHubCallback, AuthAPI.socialCallback, social.callback("github"))
            router.serve(AuthEndpoints.oidcLogin, AuthAPI.socialLogin, social.oidcLogin)
            router.serve(AuthEndpoints.oidcCallback, AuthAPI.socialCallback, social.oidcCallback)
            let billing = BillingDirectory(billing: InternalRequest(connection: connection, service: "billing"), subjects: subjects)
            let admin = AdminUserHandlers(
                database: database, billing: billing, sessions: sessionStore, revocations: revocations, users: users, audit: audit)
            router.serve(AuthEndpoints.adminStats, AuthAPI.adminStats, admin.stats)
            router.serve(AuthEndpoints.adminUsersList, AuthAPI.adminUsersList, admin.list)
            router.serve(AuthEndpoints.adminUsersGet, AuthAPI.adminUsersGet, admin.get)
            router.serve(AuthEndpoints.adminUsersStatus, AuthAPI.adminUsersStatus, admin.status)
            router.serve(AuthEndpoints.adminUsersRole, AuthAPI.adminUsersRole, admin.role)
            router.serve(AuthEndpoints.adminUsersVerify, AuthAPI.adminUsersVerify, admin.verify)
            router.serve(AuthEndpoints.adminAudit, AuthAPI.adminAudit, AdminAuditHandler(database: database, billing: billing).handle)
            router.onAuthenticated(subjects.authAdminRefused, AdminRefusalHandler(audit: audit).handle)
            let identities = IdentityHandlers(database: database)
            router.serve(AuthEndpoints.identities, AuthAPI.identities, identities.list)
            router.serve(AuthEndpoints.identityDelete, AuthAPI.identityDelete, identities.unlink)
            return AuthService(
                router: router, relay: relay, database: database, userChanges: users.changeListener(),
                keyReloader: SigningKeyReloader.listener(
                    connection: connection, subject: subjects.authKeysChanged, store: keyStore, tokens: tokens, logger: logger),
                access: access)
        }
    }
}
