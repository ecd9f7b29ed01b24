import Foundation

/// What a username may be: 3 to 32 letters, digits (of any script), combining marks, `.`, `_` and
/// `-`. No format or control character (Unicode Cf, Cc): a zero-width joiner or a direction mark
/// makes two names that look the same differ.
enum Username {
    static func problem(_ username: String) -> String? {
        let trimmed = username.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...32).contains(trimmed.count) else { return "Username must be 3 to 32 characters" }
        guard trimmed.unicodeScalars.allSatisfy(isAllowed) else {
            return "Username may contain letters, digits, '.', '_' and '-' only"
        }
        return nil
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .decimalNumber, .letterNumber, .otherNumber:
            true
        default:
            scalar == "." || scalar == "_" || scalar == "-"
        }
    }
}
