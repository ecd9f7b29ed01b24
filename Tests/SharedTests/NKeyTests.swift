import Foundation
import Testing
import TollgateSecurity

@Suite("nkeys: the NATS identities' keys")
struct NKeyTests {
    /// Made from the seed bytes 0…31 by the Python `nkeys` library (an independent implementation).
    static let seed = "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y"
    static let publicKey = "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK"

    @Test("a seed and its public key are written as nkeys writes them")
    func knownVector() throws {
        let key = try NKey(rawSeed: Array(0..<32))
        #expect(key.seed == Self.seed)
        #expect(key.publicKey == Self.publicKey)
        #expect(try NKey(seed: Self.seed) == key)
        #expect(try NKey(seed: "  \(Self.seed)\n") == key, "a file's trailing newline is fine")
    }

    @Test("a fresh key reads back as itself and differs from the next one")
    func generated() throws {
        let first = NKey.generateUser()
        #expect(first.seed.hasPrefix("SU") && first.seed.count == 58)
        #expect(first.publicKey.hasPrefix("U") && first.publicKey.count == 56)
        #expect(try NKey(seed: first.seed) == first)
        #expect(NKey.generateUser() != first)
    }

    @Test("a changed character, another kind of key, or not an nkey at all is refused", arguments: [
        String(seed.prefix(20)) + (seed.dropFirst(20).first == "A" ? "B" : "A") + String(seed.dropFirst(21)),
        "SAAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y",
        publicKey, "", "not a key", String(seed.dropLast(4)),
    ])
    func refused(_ text: String) {
        #expect(throws: NKey.Invalid.self) { try NKey(seed: text) }
    }
}
