import Foundation
import Testing
import TollgateTestSupport

@testable import AuthService

@Suite("Signing key store")
struct SigningKeyStoreTests {
    @Test("rotation adds the signing key and removes only keys retired longer than the retention")
    func retention() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = SigningKeyStore(directory: folder.path + "/keys")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try store.add(SigningKey.generate(now: start))

        let (afterOne, removedOne) = try store.rotate(retention: .seconds(100), now: start.addingTimeInterval(1000))
        #expect(removedOne.isEmpty, "the first key retired just now")
        #expect(afterOne.count == 2)
        #expect(afterOne.first?.kid == first.kid)

        let (afterTwo, removedTwo) = try store.rotate(retention: .seconds(100), now: start.addingTimeInterval(1200))
        #expect(removedTwo == [first.kid], "retired 200 s ago, past the 100 s retention")
        #expect(afterTwo.count == 2)
        #expect(try store.load().map(\.kid) == afterTwo.map(\.kid))
        #expect(afterTwo.last?.createdAt == start.addingTimeInterval(1200), "the newest key signs")
    }

    @Test("a key made in the same second as the last one still sorts after it")
    func sameSecond() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = SigningKeyStore(directory: folder.path + "/keys")
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let first = try store.add(SigningKey.generate(now: now))
        let (kept, _) = try store.rotate(retention: .seconds(100), now: now)
        #expect(kept.count == 2)
        #expect(kept.first?.kid == first.kid)
        #expect(try store.load().last?.kid == kept.last?.kid)
    }

    @Test("key files are readable by their owner only")
    func permissions() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = SigningKeyStore(directory: folder.path + "/keys")
        let key = try store.add(SigningKey.generate())
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder.path)/keys/\(key.kid).json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
