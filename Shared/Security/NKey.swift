import Crypto
import Foundation

/// A NATS user identity as an nkey: an Ed25519 key pair written the way nats-server and libnats
/// read it (a prefix byte, the key, a CRC-16 and base32 without padding). The server's
/// configuration holds only the public key (`U…`); the seed (`SU…`) stays with the executable that
/// signs the server's nonce with it, so no password ever rests in a server file.
public struct NKey: Sendable, Equatable {
    /// The seed as text (`SU…`, 58 characters): the secret.
    public let seed: String
    /// The public key as text (`U…`, 56 characters): what `nats-server.conf` lists.
    public let publicKey: String

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    private static let seedPrefix: UInt8 = 18 << 3
    private static let userPrefix: UInt8 = 20 << 3

    /// A new random user key.
    public static func generateUser() -> NKey {
        // swift-crypto's raw representation of an Ed25519 private key is exactly its 32-byte seed.
        let raw = Curve25519.Signing.PrivateKey().rawRepresentation
        // A freshly made key always encodes; the force is on our own 32 bytes.
        return try! NKey(rawSeed: Array(raw))
    }

    /// The user key whose seed is these 32 bytes.
    public init(rawSeed: [UInt8]) throws(Invalid) {
        guard rawSeed.count == 32 else { throw Invalid(description: "an nkey seed has 32 bytes, got \(rawSeed.count)") }
        guard let signing = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawSeed) else {
            throw Invalid(description: "not an Ed25519 seed")
        }
        let seedBytes = [Self.seedPrefix | (Self.userPrefix >> 5), (Self.userPrefix & 31) << 3] + rawSeed
        self.seed = Base32.encode(Self.withChecksum(seedBytes))
        self.publicKey = Base32.encode(Self.withChecksum([Self.userPrefix] + Array(signing.publicKey.rawRepresentation)))
    }

    /// Reads a user seed (`SU…`), checking its checksum and kind.
    public init(seed text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Base32.decode(trimmed), bytes.count == 36 else {
            throw Invalid(description: "not an nkey seed (expected 58 base32 characters starting with SU)")
        }
        let body = Array(bytes.prefix(34))
        let checksum = UInt16(bytes[34]) | UInt16(bytes[35]) << 8
        guard CRC16.xmodem(body) == checksum else { throw Invalid(description: "nkey seed checksum does not match") }
        guard bytes[0] & 0xF8 == Self.seedPrefix else { throw Invalid(description: "not an nkey seed") }
        let kind = (bytes[0] & 0x07) << 5 | (bytes[1] & 0xF8) >> 3
        guard kind == Self.userPrefix else { throw Invalid(description: "not a user nkey seed (expected SU…)") }
        try self.init(rawSeed: Array(body.dropFirst(2)))
    }

    private static func withChecksum(_ bytes: [UInt8]) -> [UInt8] {
        let crc = CRC16.xmodem(bytes)
        return bytes + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }
}

/// CRC-16/XMODEM (polynomial 0x1021, initial 0): the checksum nkeys carry.
enum CRC16 {
    static func xmodem(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
