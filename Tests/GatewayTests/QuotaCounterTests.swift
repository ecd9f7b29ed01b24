import Foundation
@testable import GatewayService
import Testing
import TollgateContracts

/// Quota counts: one period per user, quota and period end, summed over gateway instances, merged
/// by taking the larger count, so late or repeated news changes nothing.
@Suite("Quota counter: per billing period, across gateway instances")
struct QuotaCounterTests {
    let user = "0F1E2D3C-0000-4000-8000-00000000000A"
    let periodEnd: Int64 = 1_900_000_000

    func key(_ instance: String, periodEnd: Int64? = nil, quota: String = "api_calls") -> QuotaUsageKey {
        QuotaUsageKey(user: user, periodEnd: periodEnd ?? self.periodEnd, quota: quota, instance: instance)
    }

    @Test("admits up to the limit, then refuses with nothing left; a limit of 0 admits nothing")
    func limit() {
        let counter = QuotaCounter(instance: "a")
        let decisions = (0..<4).map { _ in counter.admit(user: user, periodEnd: periodEnd, quota: "api_calls", limit: 3) }
        #expect(decisions.map(\.allowed) == [true, true, true, false])
        #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
        #expect(counter.used(user: user, periodEnd: periodEnd, quota: "api_calls") == 3, "a refusal is not counted")
        // Another period, another quota and another user each start at nothing.
        #expect(counter.admit(user: user, periodEnd: periodEnd + 1, quota: "api_calls", limit: 3).remaining == 2)
        #expect(counter.admit(user: user, periodEnd: periodEnd, quota: "exports", limit: 3).remaining == 2)
        #expect(counter.admit(user: "other", periodEnd: periodEnd, quota: "api_calls", limit: 3).remaining == 2)
        #expect(!counter.admit(user: user, periodEnd: periodEnd, quota: "none", limit: 0).allowed)
        // The user id is matched whatever its case.
        #expect(!counter.admit(user: user.lowercased(), periodEnd: periodEnd, quota: "api_calls", limit: 3).allowed)
    }

    @Test("ten calls at once against a limit of seven: exactly seven admitted")
    func concurrent() async {
        let counter = QuotaCounter(instance: "a")
        let user = self.user, periodEnd = self.periodEnd
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 { group.addTask { counter.admit(user: user, periodEnd: periodEnd, quota: "api_calls", limit: 7).allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 7)
        #expect(counter.used(user: user, periodEnd: periodEnd, quota: "api_calls") == 7)
    }

    @Test("other instances' counts add up; each is merged by taking the larger, so old or repeated news changes nothing")
    func merge() {
        let counter = QuotaCounter(instance: "a")
        counter.merge(key("b"), count: 4)
        counter.merge(key("c"), count: 2)
        counter.merge(key("b"), count: 3)
        counter.merge(key("b"), count: 4)
        #expect(counter.used(user: user, periodEnd: periodEnd, quota: "api_calls") == 6)
        #expect(counter.admit(user: user, periodEnd: periodEnd, quota: "api_calls", limit: 7).remaining == 0)
        #expect(!counter.admit(user: user, periodEnd: periodEnd, quota: "api_calls", limit: 7).allowed)
        // The whole limit used elsewhere: refused here too.
        counter.merge(key("b", periodEnd: periodEnd + 100), count: 50)
        #expect(!counter.admit(user: user, periodEnd: periodEnd + 100, quota: "api_calls", limit: 50).allowed)
    }

    @Test("after a restart the instance carries on from its own saved count; only counts above what is saved are written, and only its own")
    func restartAndSave() {
        let counter = QuotaCounter(instance: "a")
        counter.merge(key("a"), count: 5)
        counter.merge(key("b"), count: 1)
        #expect(counter.unsaved().isEmpty, "what the bucket holds is not written back")
        #expect(counter.admit(user: user, periodEnd: periodEnd, quota: "api_calls", limit: 10).remaining == 3)
        let unsaved = counter.unsaved()
        #expect(unsaved == [QuotaUsageCount(period: .init(user: user.lowercased(), periodEnd: periodEnd, quota: "api_calls"), instance: "a", count: 6)])
        #expect(unsaved.first?.key.key == "\(user.lowercased()).\(periodEnd).api_calls.a")
        counter.saved(unsaved[0])
        #expect(counter.unsaved().isEmpty)
        // Told to the other gateways once, then not again until it changes.
        #expect(counter.takeUnshared().map(\.count) == [6])
        #expect(counter.takeUnshared().isEmpty)
    }

    @Test("ended periods are forgotten once saved, never before")
    func forgetting() {
        let counter = QuotaCounter(instance: "a")
        _ = counter.admit(user: user, periodEnd: 100, quota: "api_calls", limit: 10)
        counter.merge(key("b", periodEnd: 100), count: 3)
        counter.forgetEnded(before: 200)
        #expect(counter.used(user: user, periodEnd: 100, quota: "api_calls") == 4, "not saved yet: kept")
        counter.saved(counter.unsaved()[0])
        counter.forgetEnded(before: 200)
        #expect(counter.used(user: user, periodEnd: 100, quota: "api_calls") == 0)
        _ = counter.admit(user: user, periodEnd: 300, quota: "api_calls", limit: 10)
        counter.saved(counter.unsaved()[0])
        counter.forgetEnded(before: 200)
        #expect(counter.used(user: user, periodEnd: 300, quota: "api_calls") == 1, "a period still running is kept")
    }

    @Test("usage keys: written and read back alike; anything else in the bucket is ignored, counts at their extremes too")
    func keys() {
        let made = key("gw-1")
        #expect(QuotaUsageKey(key: made.key) == made)
        for bad in [
            "", "a.b.c", "a.1.q.i.extra", "u.0.q.i", "u.-1.q.i", "u.abc.q.i", "u.9223372036854775808.q.i", "u..q.i", "u.1..i",
            "u.1.q.", "u.1.q.i*", "u.1.q.>", "ü.1.q.i", "u.1.\(String(repeating: "q", count: 129)).i",
        ] {
            #expect(QuotaUsageKey(key: bad) == nil, "\(bad)")
        }
        #expect(QuotaUsageKey(key: "u.9223372036854775807.q.i")?.periodEnd == Int64.max)
        for (text, count) in [("0", 0), ("17", 17), ("1000000000000", 1_000_000_000_000)] {
            #expect(QuotaUsageKey.count(Array(text.utf8)) == count)
        }
        for bad in ["", "-1", "1000000000001", "9223372036854775807", "99999999999999999999", "1.5", "abc", " 1", "١"] {
            #expect(QuotaUsageKey.count(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
