import Testing
import TollgateBusAccess
import TollgateContracts
import TollgateSecurity

@Suite("Who may do what on the bus")
struct BusPermissionsTests {
    let subjects = Subjects(prefix: "acme")

    func permissions(_ identity: BusIdentity) -> NatsPermissions { BusPermissions.of(identity, subjects) }

    func publishers(of subject: String) -> Set<BusIdentity> {
        Set(BusIdentity.allCases.filter { permissions($0).publish.contains(subject) })
    }

    func subscribers(of subject: String) -> Set<BusIdentity> {
        Set(BusIdentity.allCases.filter { permissions($0).subscribe.contains(subject) })
    }

    @Test("only gateways send to routed subjects, and only the owning service answers them")
    func routes() {
        for endpoint in AuthEndpoints.all + BillingEndpoints.all {
            let subject = subjects.subject(of: endpoint)
            #expect(publishers(of: subject) == [.gateway], "\(subject)")
            #expect(subscribers(of: subject) == [endpoint.subject.hasPrefix("auth.") ? .auth : .billing], "\(subject)")
        }
    }

    @Test("internal subjects: only the service that uses each")
    func internalSubjects() {
        #expect(publishers(of: subjects.authAccountLookup) == [.billing])
        #expect(subscribers(of: subjects.authAccountLookup) == [.auth])
        for subject in [subjects.billingStats, subjects.billingUserCounts, subjects.billingAudit] {
            #expect(publishers(of: subject) == [.auth])
            #expect(subscribers(of: subject) == [.billing])
        }
        #expect(publishers(of: subjects.authUserChanged) == [.auth])
        #expect(subscribers(of: subjects.authUserChanged) == [.auth, .billing])
        #expect(publishers(of: subjects.authKeysChanged) == [.authCLI])
        #expect(publishers(of: subjects.authAdminRefused) == [.gateway])
        #expect(subscribers(of: subjects.authAdminRefused) == [.auth])
        #expect(publishers(of: subjects.notifierDeadLetterRetry) == [.notifierCLI])
        #expect(subscribers(of: subjects.notifierDeadLetterRetry) == [.notifier])
        for service in [ServiceName.auth, .billing] {
            #expect(publishers(of: subjects.apiShapes(service)) == [.gateway])
            #expect(subscribers(of: subjects.apiShapes(service)) == [BusIdentity(service)])
        }
    }

    @Test("buckets: only Auth writes keys and revocations, only Billing entitlements; gateways watch them")
    func buckets() {
        #expect(publishers(of: "$KV.acme_jwks.>") == [.auth, .authCLI])
        #expect(publishers(of: "$KV.acme_revocations.>") == [.auth])
        #expect(publishers(of: "$KV.acme_entitlements.>") == [.billing])
        #expect(publishers(of: "$JS.API.STREAM.CREATE.KV_acme_entitlements") == [.billing])
        #expect(publishers(of: "$JS.API.STREAM.CREATE.KV_acme_jwks") == [.auth])
        #expect(publishers(of: "$JS.API.CONSUMER.CREATE.KV_acme_entitlements.>") == [.gateway])
        #expect(publishers(of: "$JS.API.CONSUMER.CREATE.KV_acme_jwks.>") == [.gateway, .auth, .billing])
    }

    @Test("streams: Webhook alone feeds STRIPE, each template has one sender, the Notifier alone reads EMAIL")
    func streams() {
        #expect(publishers(of: subjects.stripeEventSubjects) == [.webhook])
        for template in EmailTemplate.allCases {
            #expect(publishers(of: subjects.email(template)) == [template.sender], "\(template)")
        }
        #expect(publishers(of: subjects.emailDeadSubject) == [.notifier])
        #expect(publishers(of: "$JS.API.CONSUMER.MSG.NEXT.ACME_EMAIL.acme_notifier") == [.notifier])
        #expect(publishers(of: "$JS.API.STREAM.MSG.DELETE.ACME_EMAIL") == [.notifier])
        #expect(publishers(of: "$JS.API.CONSUMER.MSG.NEXT.ACME_STRIPE.acme_billing_stripe") == [.billing])
        // A stalled consumer's own service may move its leadership; no one may move another's.
        #expect(publishers(of: "$JS.API.CONSUMER.LEADER.STEPDOWN.ACME_EMAIL.acme_notifier") == [.notifier])
        #expect(publishers(of: "$JS.API.CONSUMER.LEADER.STEPDOWN.ACME_STRIPE.acme_billing_stripe") == [.billing])
        #expect(publishers(of: "$JS.API.STREAM.LEADER.STEPDOWN.ACME_EMAIL") == [])
        #expect(publishers(of: "$JS.API.STREAM.MSG.GET.ACME_EMAIL") == [], "nobody reads emails out of the stream")
    }

    @Test("no identity may use a wildcard beyond its own inbox, and each reads only its own inbox")
    func noWildcards() {
        for identity in BusIdentity.allCases {
            let allowed = permissions(identity)
            let inbox = identity.inboxPrefix(subjects) + ".>"
            #expect(allowed.subscribe.contains(inbox))
            for subject in allowed.subscribe + allowed.publish where subject.hasSuffix(">") || subject.contains("*") {
                let scoped = subject.hasPrefix("$KV.") || subject.hasPrefix("$JS.ACK.") || subject.hasPrefix("$JS.FC.")
                    || subject.hasPrefix("$JS.API.CONSUMER.") || subject == inbox || subject == subjects.stripeEventSubjects
                #expect(scoped, "\(identity): \(subject)")
            }
            for other in BusIdentity.allCases where other != identity {
                #expect(!allowed.subscribe.contains(other.inboxPrefix(subjects) + ".>"))
            }
        }
        #expect(permissions(.gateway).allowResponses == false, "the gateway answers nobody")
        #expect(permissions(.auth).allowResponses && permissions(.billing).allowResponses)
    }

    @Test("the server file lists every key with its quoted permissions, and grants nothing to anyone else")
    func rendered() {
        let key = NKey.generateUser()
        let text = NatsAuthorization(users: [
            .init(label: "acme gateway", publicKey: key.publicKey, permissions: permissions(.gateway)),
            .init(label: "empty", publicKey: "UEMPTY", permissions: NatsPermissions(publish: [], subscribe: [], allowResponses: false)),
        ]).rendered()
        #expect(text.contains("nkey: \"\(key.publicKey)\""))
        #expect(text.contains("\"$JS.API.STREAM.INFO.KV_acme_jwks\""))
        #expect(!text.contains(key.seed))
        #expect(text.contains("publish: { deny: [\">\"] }"), "an empty list denies everything rather than allowing it")
        #expect(!text.contains("no_auth_user"))
    }
}
