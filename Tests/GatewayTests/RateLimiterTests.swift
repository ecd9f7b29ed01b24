import Foundation
import GatewayService
import Testing
import TollgateContracts

@Suite("In-memory rate limiter")
struct RateLimiterTests {
    @Test("limit requests per window and key, then refuse with the time left")
    func window() async throws {
        let clock = TimeSource()
        let limiter = RateLimiter(clock: clock)
        let policy = RateLimitPolicy(name: "p", limit: 2, window: .seconds(60), key: .ip)
        #expect(limiter.check(policy: policy, key: "a").remaining == 1)
        #expect(limiter.check(policy: policy, key: "a").allowed)
        let refused = limiter.check(policy: policy, key: "a")
        #expect(refused.allowed == false)
        #expect(refused.remaining == 0)
        #expect(refused.resetSeconds == 60)
        #expect(limiter.check(policy: policy, key: "b").allowed, "keys are separate")
        let other = RateLimitPolicy(name: "q", limit: 1, window: .seconds(60), key: .ip)
        #expect(limiter.check(policy: other, key: "a").allowed, "policies are separate")
        clock.advance(by: .seconds(59))
        let late = limiter.check(policy: policy, key: "a")
        #expect(late.allowed == false, "the window still holds")
        #expect(late.resetSeconds == 1)
        clock.advance(by: .seconds(1))
        #expect(limiter.check(policy: policy, key: "a").allowed, "a new window starts")
    }

    @Test("concurrent requests never exceed the limit")
    func concurrent() async {
        let limiter = RateLimiter()
        let policy = RateLimitPolicy(name: "p", limit: 100, window: .seconds(60), key: .ip)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 { group.addTask { limiter.check(policy: policy, key: "x").allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 100)
    }
}

@Suite("Client address behind proxies")
struct ClientAddressTests {
    let resolver = ClientAddress(trustedProxies: ["10.0.0.1", "10.0.0.2"])

    @Test("the peer is the client unless it is a trusted proxy")
    func peer() {
        #expect(resolver.resolve(peer: "203.0.113.9", forwardedFor: "1.2.3.4") == "203.0.113.9")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: "1.2.3.4") == "1.2.3.4")
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: nil) == "10.0.0.1")
    }

    @Test("a spoofed left-most X-Forwarded-For entry is ignored; proxies are skipped from the right")
    func spoofing() {
        #expect(resolver.resolve(peer: "10.0.0.1", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.2") == "1.2.3.4")
    }
}
