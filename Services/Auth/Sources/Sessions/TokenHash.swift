import Crypto
import Foundation
import TollgateSecurity

/// Opaque tokens (refresh tokens, link tokens) are stored as SHA-256 hex: a database leak reveals none.
enum TokenHash {
    static func of(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}
