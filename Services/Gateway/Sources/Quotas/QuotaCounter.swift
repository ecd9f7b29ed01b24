import Foundation
import Synchronization
import TollgateContracts

/// The outcome of counting one call against a quota.
struct QuotaDecision: Sendable, Equatable {
    let allowed: Bool
    let limit: Int
    /// Calls left this period after this one (0 when refused).
    let remaining: Int
}

/// Every gateway instance's count of calls against plan quotas, per user, billing period and quota.
/// This instance counts its own calls (`admit`); the others' counts arrive from the usage bucket
/// and from their rate-limit reports (`merge`). Counts only grow within a period, so every count
/// heard is merged by taking the larger: late, repeated or out-of-order news changes nothing, and
/// this instance's own count, read back from the bucket after a restart, carries on from there.
final class QuotaCounter: Sendable {
    /// A user's quota in one period, counts by instance.
    struct Period: Hashable, Sendable {
        let user: String
        let periodEnd: Int64
        let quota: String
    }

    private struct State {
        var counts: [Period: [String: Int]] = [:]
        /// What this instance last wrote to the bucket, by period.
        var saved: [Period: Int] = [:]
        /// This instance's counts not yet told to the other gateways.
        var unshared: Set<Period> = []
    }

    let instance: String
    private let state = Mutex(State())
    private let loaded = Atomic<Bool>(false)

    init(instance: String) {
        self.instance = instance
    }

    /// Counts a call when the period's total is under `limit`.
    func admit(user: String, periodEnd: Int64, quota: String, limit: Int) -> QuotaDecision {
        let period = Period(user: user.lowercased(), periodEnd: periodEnd, quota: quota)
        return state.withLock { state in
            let counts = state.counts[period, default: [:]]
            let used = counts.values.reduce(0, +)
            guard used < limit else { return QuotaDecision(allowed: false, limit: limit, remaining: 0) }
            state.counts[period, default: [:]][instance, default: 0] += 1
            state.unshared.insert(period)
            return QuotaDecision(allowed: true, limit: limit, remaining: limit - used - 1)
        }
    }

    /// The calls counted in a period by every instance heard from.
    func used(user: String, periodEnd: Int64, quota: String) -> Int {
        let period = Period(user: user.lowercased(), periodEnd: periodEnd, quota: quota)
        return state.withLock { $0.counts[period, default: [:]].values.reduce(0, +) }
    }

    /// A count from the bucket or another gateway's report.
    func merge(_ key: QuotaUsageKey, count: Int) {
        let period = Period(user: key.user, periodEnd: key.periodEnd, quota: key.quota)
        state.withLock { state in
            let known = state.counts[period]?[key.instance] ?? 0
            if count > known { state.counts[period, default: [:]][key.instance] = count }
            if key.instance == instance { state.saved[period] = max(state.saved[period] ?? 0, count) }
        }
    }

    /// This instance's counts changed since the last call, for the other gateways.
    func takeUnshared() -> [QuotaUsageCount] {
        state.withLock { state in
            defer { state.unshared = [] }
            return state.unshared.map { QuotaUsageCount(period: $0, instance: instance, count: state.counts[$0]?[instance] ?? 0) }
        }
    }

    /// This instance's counts not yet in the bucket.
    func unsaved() -> [QuotaUsageCount] {
        state.withLock { state in
            state.counts.compactMap { period, counts in
                guard let mine = counts[instance], mine > state.saved[period] ?? 0 else { return nil }
                return QuotaUsageCount(period: period, instance: instance, count: mine)
            }
        }
    }

    /// The bucket took `count` for the period.
    func saved(_ count: QuotaUsageCount) {
        state.withLock { $0.saved[count.period] = max($0.saved[count.period] ?? 0, count.count) }
    }

    /// Forgets periods that ended before `now` (Unix seconds), once their counts are saved.
    func forgetEnded(before now: Int64) {
        state.withLock { state in
            for period in state.counts.keys where period.periodEnd < now {
                let mine = state.counts[period]?[instance] ?? 0
                guard mine <= state.saved[period] ?? 0 else { continue }
                state.counts[period] = nil
                state.saved[period] = nil
                state.unshared.remove(period)
            }
        }
    }

    /// True once the bucket's counts are in: before then a count could start below what is saved.
    var isLoaded: Bool { loaded.load(ordering: .relaxed) }

    func markLoaded() { loaded.store(true, ordering: .relaxed) }
}

/// One instance's count for a period, as told to the other gateways or written to the bucket.
struct QuotaUsageCount: Codable, Sendable, Equatable {
    let period: QuotaCounter.Period
    let instance: String
    let count: Int

    var key: QuotaUsageKey {
        QuotaUsageKey(user: period.user, periodEnd: period.periodEnd, quota: period.quota, instance: instance)
    }
}

extension QuotaCounter.Period: Codable {}
