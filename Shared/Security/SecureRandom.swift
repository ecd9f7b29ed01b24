import Foundation

/// Unguessable tokens for links, codes and ids.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// 256 random bits as base64url text.
    public static func token() -> String {
        Base64URL.encode(bytes(32))
    }
}
