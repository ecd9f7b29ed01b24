import Crypto
import Foundation
import TollgateSecurity

/// A rotated refresh token keeps its successor sealed under a key only the rotated token itself
/// gives (HKDF of its text; the database holds just its SHA-256), so presenting it again can be
/// answered with the same successor, while the database alone opens nothing.
enum SuccessorSeal {
    static func seal(_ successor: String, under presented: String, tokenID: UUID) throws -> String {
        let box = try ChaChaPoly.seal(Data(successor.utf8), using: key(presented), authenticating: binding(tokenID))
        return Base64URL.encode(box.combined)
    }

    static func open(_ sealed: String, under presented: String, tokenID: UUID) -> String? {
        guard let data = Base64URL.decode(sealed), let box = try? ChaChaPoly.SealedBox(combined: data),
            let plain = try? ChaChaPoly.open(box, using: key(presented), authenticating: binding(tokenID))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    private static func key(_ presented: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(presented.utf8)), salt: Data("tollgate refresh successor".utf8),
            outputByteCount: 32)
    }

    /// Bound to the row: a sealed successor copied onto another row does not open.
    private static func binding(_ tokenID: UUID) -> Data { Data(tokenID.uuidString.lowercased().utf8) }
}
