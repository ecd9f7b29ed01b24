import Foundation
import Synchronization

/// What `/me` shows of a user, kept briefly in memory.
struct CachedUser: Sendable, Equatable {
    let response: UserResponse
    let isActive: Bool
}

/// Recently read users, so the hottest authenticated route (`GET /me`, called on every page load)
/// does not read the database each time. Entries live at most `lifetime`, and every change to a
/// user evicts it at once in every Auth instance (see `UserDirectory`).
final class UserCache: Sendable {
    private struct Entry {
        let user: CachedUser
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[UUID: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration, capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    var isEnabled: Bool { lifetime > .zero }

    func user(_ id: UUID, now: ContinuousClock.Instant = .now) -> CachedUser? {
        entries.withLock { entries in
            guard let entry = entries[id] else { return nil }
            guard entry.expires > now else {
                entries[id] = nil
                return nil
            }
            return entry.user
        }
    }

    func store(_ user: CachedUser, for id: UUID, now: ContinuousClock.Instant = .now) {
        guard isEnabled else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[id] = Entry(user: user, expires: now + lifetime)
        }
    }

    func evict(_ id: UUID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
