import Foundation
import Testing
import TollgateContracts

@testable import GatewayService

@Suite("Tier-gated routes")
struct TierGateTests {
    @Test("no entitlement or an expired one is 402; a lower tier 403; equal or higher passes")
    func decisions() {
        let state = EntitlementState()
        let gate = TierGate(state: state)
        let now = Date(timeIntervalSince1970: 1_000_000)
        let user = "6c4af3a8-8cbc-4a8e-b8af-6380095a09c0"
        #expect(gate.check(user: user, requiredTier: 1, now: now) == .paymentRequired)
        state.setEntitlement(Entitlement(tier: 0, accessUntil: nil), user: user)
        #expect(gate.check(user: user, requiredTier: 1, now: now) == .paymentRequired)
        state.setEntitlement(Entitlement(tier: 1, accessUntil: 1_000_060), user: user)
        #expect(gate.check(user: user, requiredTier: 1, now: now) == nil)
        #expect(gate.check(user: user.uppercased(), requiredTier: 1, now: now) == nil, "user ids compared in lower case")
        #expect(gate.check(user: user, requiredTier: 2, now: now) == .tierTooLow(have: 1, need: 2))
        #expect(gate.check(user: user, requiredTier: 1, now: Date(timeIntervalSince1970: 1_000_060)) == .paymentRequired, "access ends on time even before Billing writes it")
        state.setEntitlement(Entitlement(tier: 2, accessUntil: 1_000_060), user: user)
        #expect(gate.check(user: user, requiredTier: 1, now: now) == nil)
        state.setEntitlement(nil, user: user)
        #expect(gate.check(user: user, requiredTier: 1, now: now) == .paymentRequired)
        #expect(TierGate.Refusal.paymentRequired.status == 402)
        #expect(TierGate.Refusal.tierTooLow(have: 1, need: 2).status == 403)
    }

    @Test("a feature: 402 without a plan or once it ran out, 403 when the plan lacks it; old bucket values read as no features")
    func features() throws {
        let state = EntitlementState()
        let gate = TierGate(state: state)
        let now = Date(timeIntervalSince1970: 1_000_000)
        let user = "6c4af3a8-8cbc-4a8e-b8af-6380095a09c0"
        #expect(gate.check(user: user, feature: "reports", now: now) == .paymentRequired)
        state.setEntitlement(Entitlement(tier: 1, accessUntil: 1_000_060, plan: "pro", features: ["export"]), user: user)
        #expect(gate.check(user: user, feature: "reports", now: now) == .featureMissing("reports"))
        #expect(TierGate.Refusal.featureMissing("reports").status == 403)
        #expect(TierGate.Refusal.featureMissing("reports").detail == "Your plan does not include reports")
        #expect(gate.check(user: user, feature: "export", now: now) == nil)
        #expect(gate.check(user: user, feature: "export", now: Date(timeIntervalSince1970: 1_000_060)) == .paymentRequired)
        state.setEntitlement(Entitlement(tier: 0, accessUntil: nil), user: user)
        #expect(gate.check(user: user, feature: "export", now: now) == .paymentRequired)
        let old = try JSONDecoder().decode(Entitlement.self, from: Data(#"{"tier":1,"access_until":1000060}"#.utf8))
        #expect(old == Entitlement(tier: 1, accessUntil: 1_000_060, plan: nil, features: [], limits: [:]))
    }

    @Test("a tier needs a signed-in route and must be at least 1; internal subjects cannot be routed")
    func configuration() throws {
        let yaml = """
            body_limit: 100
            request_timeout_seconds: 2
            policies: {}
            routes:
              - { method: GET, path: /open, subject: a.b, auth: none, tier: 1 }
              - { method: GET, path: /zero, subject: a.c, auth: user, tier: 0 }
              - { method: GET, path: /ok, subject: a.d, auth: user, tier: 2 }
              - { method: GET, path: /peek, subject: auth.internal.account, auth: admin }
            """
        do {
            _ = try RouteTable(file: try RoutesFile.parse(yaml), subjectPrefix: "t")
            Issue.record("expected a configuration error")
        } catch let error as GatewayConfigError {
            #expect(error.message.contains("routes[0] (GET /open): tier needs auth user or admin"))
            #expect(error.message.contains("routes[1] (GET /zero): tier must be at least 1"))
            #expect(error.message.contains("routes[3] (GET /peek): internal subjects cannot be routed"))
            #expect(!error.message.contains("/ok"))
        }
    }
}
