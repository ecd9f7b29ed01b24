import Crypto
import Foundation

/// Opaque tokens (refresh tokens, link tokens) are stored as SHA-256 hex: a database leak reveals none.
enum TokenHash {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func of(_ token: String) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
