import Foundation
import Testing
import TollgateContracts
import TollgateSecurity

@Suite("Argon2id password hashing")
struct PasswordHasherTests {
    let hasher = PasswordHasher(parameters: .testing)

    @Test("a hash is a PHC string that verifies its password only")
    func roundTrip() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(try await hasher.verify("correct horse battery", against: hash))
        #expect(try await hasher.verify("correct horse batterY", against: hash) == false)
        #expect(try await hasher.hash("correct horse battery") != hash, "salted")
    }

    @Test("a hash made by the Python starter (argon2-cffi defaults) verifies and asks for a rehash")
    func pythonStarterHash() async throws {
        let python = "$argon2id$v=19$m=65536,t=3,p=4$DU84qMzjUzxLgQqfZ08ltA$NpjG2SOcueL3Cy+Dp2r2r1riL1aXBKxEZsT5OeS8iQA"
        #expect(try await hasher.verify("starter-password-1", against: python))
        #expect(try await hasher.verify("starter-password-2", against: python) == false)
        #expect(hasher.needsRehash(python))
        #expect(Argon2Parameters(phc: python) == Argon2Parameters(memoryKiB: 65536, iterations: 3, parallelism: 4))
    }

    @Test("the hash argon2-cffi's README shows for its example password verifies")
    func argon2CffiReadmeHash() async throws {
        let published = "$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg"
        #expect(try await hasher.verify("correct horse battery staple", against: published))
        #expect(try await hasher.verify("Tr0ub4dor&3", against: published) == false)
    }

    @Test("malformed or absurd hashes never verify")
    func malformed() async throws {
        #expect(try await hasher.verify("x", against: "") == false)
        #expect(try await hasher.verify("x", against: "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA") == false)
        #expect(try await hasher.verify("x", against: "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaA") == false)
        #expect(try await hasher.verifyAgainstDummy("anything") == false)
    }

    @Test("hashing queued for a request whose deadline has passed is not done, and is not a wrong password")
    func lateWork() async throws {
        let hash = try await hasher.hash("correct horse battery")
        let clock = TimeSource()
        let past = RequestDeadline(clock.instant + .seconds(1), clock: clock)
        clock.advance(by: .seconds(2))
        await #expect(throws: DeadlinePassed.self) {
            try await RequestDeadline.$current.withValue(past) {
                try await hasher.verify("correct horse battery", against: hash)
            }
        }
        await #expect(throws: DeadlinePassed.self) {
            try await RequestDeadline.$current.withValue(past) { try await hasher.hash("another password") }
        }
        let future = RequestDeadline(clock.instant + .seconds(60), clock: clock)
        #expect(try await RequestDeadline.$current.withValue(future) {
            try await hasher.verify("correct horse battery", against: hash)
        })
    }
}
