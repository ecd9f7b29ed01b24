import Crypto
import Foundation

/// Opaque tokens (refresh tokens, link tokens) are stored as SHA-256 hex: a database leak reveals none.
enum TokenHash {
    static func of(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
