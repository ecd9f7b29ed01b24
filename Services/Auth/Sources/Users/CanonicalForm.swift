import Foundation

/// The form in which emails and usernames are compared: trimmed, Unicode NFC, case-folded.
/// Stored beside the original so the database's byte comparison agrees with ours (Swift's `==`
/// equates composed and decomposed forms; SQL does not).
public enum CanonicalForm {
    public static func of(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
            .precomposedStringWithCanonicalMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCanonicalMapping
    }
}
