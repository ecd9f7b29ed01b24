import Foundation
import GatewayService
import Testing
import TollgateContracts

@Suite("Rate limiter: fixed windows counted across gateways")
struct RateLimiterTests {
    /// A clock at the start of a wall-clock window of `seconds` (windows are numbered by it, so
    /// that every gateway numbers them alike).
    static func clockAtWindowStart(_ seconds: Double = 60) -> TimeSource {
        let clock = TimeSource()
        let into = clock.now.timeIntervalSince1970.truncatingRemainder(dividingBy: seconds)
        clock.advance(by: .milliseconds(Int64(((seconds - into) * 1000).rounded(.up))))
        return clock
    }

    @Test("limit requests per window and key, then refuse with the time left")
    func window() async throws {
        let clock = Self.clockAtWindowStart()
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

    @Test("two gateways exchanging what they admitted allow the limit between them")
    func shared() {
        let clock = Self.clockAtWindowStart()
        let first = RateLimiter(clock: clock)
        let second = RateLimiter(clock: clock)
        let policy = RateLimitPolicy(name: "p", limit: 5, window: .seconds(60), key: .ip)
        for _ in 0..<3 { #expect(first.check(policy: policy, key: "a").allowed) }
        #expect(second.check(policy: policy, key: "a").allowed, "before the report, the second counts alone")
        second.add(first.takeUnshared())
        first.add(second.takeUnshared())
        let fifth = second.check(policy: policy, key: "a")
        #expect(fifth.allowed)
        #expect(fifth.remaining == 0)
        #expect(second.check(policy: policy, key: "a").allowed == false)
        first.add(second.takeUnshared())
        #expect(first.check(policy: policy, key: "a").allowed == false, "the first knows the deployment used its five")
        #expect(first.takeUnshared().isEmpty, "a refusal is not reported")
        #expect(first.check(policy: policy, key: "b").allowed, "other keys are untouched")
    }

    @Test("a report is counted once, in its window: an old window's is ignored, a newer one's starts that window")
    func reports() {
        let clock = Self.clockAtWindowStart()
        let limiter = RateLimiter(clock: clock)
        let policy = RateLimitPolicy(name: "p", limit: 2, window: .seconds(60), key: .ip)
        #expect(limiter.check(policy: policy, key: "a").allowed)
        let sent = limiter.takeUnshared()
        #expect(sent.count == 1)
        #expect(sent.first?.counter == "p|a")
        #expect(sent.first?.count == 1)
        #expect(limiter.takeUnshared().isEmpty, "taken once")
        let window = try! #require(sent.first?.window)
        limiter.add([RateLimitHits(counter: "p|a", window: window - 1, count: 5)])
        #expect(limiter.check(policy: policy, key: "a").allowed, "last window's counts do not fill this one")
        limiter.add([RateLimitHits(counter: "p|b", window: window, count: 2)])
        #expect(limiter.check(policy: policy, key: "b").allowed == false, "another gateway used b's two")
        limiter.add([RateLimitHits(counter: "p|c", window: window + 1, count: 2)])
        clock.advance(by: .seconds(60))
        #expect(limiter.check(policy: policy, key: "c").allowed == false, "a report from a gateway already in the next window waits for it")
    }

    @Test("a report at its extremes neither traps nor shuts a key: counts outside 1…1,000,000 and windows far ahead are dropped")
    func badReports() {
        let clock = Self.clockAtWindowStart()
        let limiter = RateLimiter(clock: clock)
        let policy = RateLimitPolicy(name: "p", limit: 3, window: .seconds(60), key: .ip)
        #expect(limiter.check(policy: policy, key: "a").allowed)
        let window = try! #require(limiter.takeUnshared().first?.window)
        limiter.add([
            RateLimitHits(counter: "p|a", window: window, count: Int.max), RateLimitHits(counter: "p|a", window: window, count: Int.max),
            RateLimitHits(counter: "p|a", window: window, count: 0), RateLimitHits(counter: "p|a", window: window, count: -1),
            RateLimitHits(counter: "p|a", window: window, count: Int.min),
        ])
        #expect(limiter.check(policy: policy, key: "a").remaining == 1, "none of those counted")
        limiter.add([RateLimitHits(counter: "p|b", window: Int64.max, count: 1_000_000)])
        #expect(limiter.check(policy: policy, key: "b").allowed, "a window far ahead does not hold b shut")
        limiter.add([RateLimitHits(counter: "p|a", window: window, count: 1_000_000)])
        limiter.add([RateLimitHits(counter: "p|a", window: window, count: 1_000_000)])
        #expect(limiter.check(policy: policy, key: "a").allowed == false, "large honest counts add up")
    }

    @Test("windows are numbered from wall-clock time: two limiters started apart report the same window")
    func numbering() {
        let clock = Self.clockAtWindowStart()
        let policy = RateLimitPolicy(name: "p", limit: 9, window: .seconds(60), key: .ip)
        let early = RateLimiter(clock: clock)
        _ = early.check(policy: policy, key: "a")
        clock.advance(by: .seconds(30))
        let late = RateLimiter(clock: clock)
        _ = late.check(policy: policy, key: "a")
        #expect(early.takeUnshared().first?.window == late.takeUnshared().first?.window)
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
