import TollgateContracts

/// The least privilege of every identity, derived from the subject, stream and bucket names in
/// `Subjects` so that a new subject cannot be added without deciding who may use it. The
/// nats-server configuration is written from this table and nothing else.
public enum BusPermissions {
    /// `extraRoutes`: further route subjects the gateway may forward to (tests' own routes).
    public static func of(_ identity: BusIdentity, _ subjects: Subjects, extraRoutes: [String] = []) -> NatsPermissions {
        let inbox = [identity.inboxPrefix(subjects) + ".>"]
        let tokens = JetStreamAPI.watchBucket(subjects.jwksBucket) + JetStreamAPI.watchBucket(subjects.revocationsBucket)
        switch identity {
        case .gateway:
            return NatsPermissions(
                publish: routes(of: nil, subjects) + extraRoutes.map(subjects.route) + [subjects.authAdminRefused]
                    + [subjects.apiShapes(.auth), subjects.apiShapes(.billing)]
                    + ServiceName.allCases.filter { $0 != .gateway }.map(subjects.ping)
                    + tokens + JetStreamAPI.watchBucket(subjects.entitlementsBucket) + [subjects.gatewayRateLimitHits]
                    + JetStreamAPI.writeBucket(subjects.usageBucket) + JetStreamAPI.watchBucket(subjects.usageBucket),
                subscribe: inbox + [subjects.gatewayRateLimitHits], allowResponses: false)
        case .auth:
            return NatsPermissions(
                publish: [subjects.authUserChanged, subjects.billingStats, subjects.billingUserCounts, subjects.billingAudit]
                    + emails(from: .auth, subjects)
                    + JetStreamAPI.writeBucket(subjects.jwksBucket) + JetStreamAPI.writeBucket(subjects.revocationsBucket)
                    + JetStreamAPI.manageStream(subjects.usersStream) + tokens,
                subscribe: routes(of: .auth, subjects)
                    + [
                        subjects.ping(.auth), subjects.authAccountLookup, subjects.authUserChanged, subjects.authKeysChanged,
                        subjects.authAdminRefused, subjects.apiShapes(.auth),
                    ]
                    + inbox,
                allowResponses: true)
        case .billing:
            return NatsPermissions(
                publish: [subjects.authAccountLookup] + emails(from: .billing, subjects)
                    + JetStreamAPI.writeBucket(subjects.entitlementsBucket)
                    + JetStreamAPI.manageStream(subjects.stripeStream)
                    + JetStreamAPI.consume(subjects.stripeStream, durable: subjects.billingStripeConsumer) + tokens
                    + JetStreamAPI.watchBucket(subjects.usageBucket),
                subscribe: routes(of: .billing, subjects)
                    + [
                        subjects.ping(.billing), subjects.billingStats, subjects.billingUserCounts, subjects.billingAudit,
                        subjects.authUserChanged, subjects.apiShapes(.billing),
                    ] + inbox,
                allowResponses: true)
        case .webhook:
            return NatsPermissions(
                publish: [subjects.stripeEventSubjects], subscribe: [subjects.ping(.webhook)] + inbox, allowResponses: true)
        case .notifier:
            return NatsPermissions(
                publish: [subjects.emailDeadSubject] + JetStreamAPI.manageStream(subjects.emailStream)
                    + JetStreamAPI.manageStream(subjects.emailDeadStream)
                    + JetStreamAPI.consume(subjects.emailStream, durable: subjects.notifierConsumer)
                    + JetStreamAPI.deleteMessages(subjects.emailStream)
                    + JetStreamAPI.readStream(subjects.emailDeadStream) + JetStreamAPI.deleteMessages(subjects.emailDeadStream),
                subscribe: [subjects.ping(.notifier), subjects.notifierDeadLetterRetry] + inbox,
                allowResponses: true)
        case .authCLI:
            return NatsPermissions(
                publish: [subjects.authKeysChanged] + JetStreamAPI.writeKeys(subjects.jwksBucket),
                subscribe: inbox, allowResponses: false)
        case .notifierCLI:
            return NatsPermissions(
                publish: emails(from: .notifierCLI, subjects) + [subjects.notifierDeadLetterRetry]
                    + JetStreamAPI.readStream(subjects.emailDeadStream),
                subscribe: inbox, allowResponses: false)
        }
    }

    /// The routed subjects a service answers (nil: every service's, which only gateways may send to).
    private static func routes(of service: ServiceName?, _ subjects: Subjects) -> [String] {
        Endpoint.all.map(\.subject).sorted().filter { relative in
            guard let service else { return true }
            return relative.hasPrefix(service.rawValue + ".")
        }.map(subjects.route)
    }

    /// The `EMAIL` subjects of the templates this identity sends.
    private static func emails(from identity: BusIdentity, _ subjects: Subjects) -> [String] {
        EmailTemplate.allCases.filter { $0.sender == identity }.map(subjects.email)
    }
}
