import Foundation

/// Unguessable tokens for links, codes and ids.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        // Eight bytes per draw: one system call where byte-by-byte took eight.
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// 256 random bits as base64url text.
    public static func token() -> String {
        Base64URL.encode(bytes(32))
    }
}
