import Foundation

/// Every route that takes a body takes JSON: another content type is answered 415 before the body
/// is read. (A browser sends `text/plain`, form and multipart bodies cross-site without asking
/// first; refusing them here closes that door on every route at once.)
enum JSONContentType {
    /// Whether a `Content-Type` value names JSON: `application/json` or `application/…+json`,
    /// parameters (`; charset=utf-8`) aside, in any case.
    static func isJSON(_ value: String) -> Bool {
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        let type = mediaType.trimmingCharacters(in: .whitespaces).lowercased()
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    static let refusal = "Content-Type must be application/json"

    /// Methods whose requests may carry a body.
    static func takesBody(_ method: String) -> Bool {
        method == "POST" || method == "PUT" || method == "PATCH"
    }
}
