import Foundation
import Testing

@testable import AuthService

@Suite("The /me user cache")
struct UserCacheTests {
    let user = CachedUser(
        response: UserResponse(id: "a", email: "a@example.com", username: "a", provider: "local"), isActive: true)

    @Test("an entry lives for its lifetime, then the database is read again")
    func lifetime() {
        let cache = UserCache(lifetime: .seconds(5))
        let id = UUID()
        let now = ContinuousClock.now
        cache.store(user, for: id, now: now)
        #expect(cache.user(id, now: now + .seconds(4)) == user)
        #expect(cache.user(id, now: now + .seconds(6)) == nil)
    }

    @Test("eviction forgets at once; a zero lifetime caches nothing; capacity bounds memory")
    func evictionAndBounds() {
        let cache = UserCache(lifetime: .seconds(5), capacity: 3)
        let ids = (0..<5).map { _ in UUID() }
        cache.store(user, for: ids[0])
        cache.evict(ids[0])
        #expect(cache.user(ids[0]) == nil)
        for id in ids { cache.store(user, for: id) }
        #expect(ids.filter { cache.user($0) != nil }.count <= 3)
        #expect(cache.user(ids[4]) == user, "the newest entry is kept")

        let disabled = UserCache(lifetime: .zero)
        disabled.store(user, for: ids[0])
        #expect(disabled.user(ids[0]) == nil)
    }
}
