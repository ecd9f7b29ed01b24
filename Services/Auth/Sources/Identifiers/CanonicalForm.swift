import Foundation

/// The form in which emails and usernames are compared, so that identifiers that look the same are
/// the same: trimmed, NFKC (full-width `ｋ`, the Kelvin sign `K`, ligatures become plain letters),
/// case-folded, and with the confusable letters that matter for Latin text mapped to the Latin
/// letter they imitate (dotless `ı`, Cyrillic `а е о р с х у і ј ѕ һ ԁ`, Greek `ο α ν ρ κ ι`…).
/// Stored beside the original so the database's byte comparison agrees with ours.
public enum CanonicalForm {
    public static func of(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        let folded = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .decomposedStringWithCanonicalMapping
        for scalar in folded.unicodeScalars {
            // `İ` folds to `i` with a combining dot: the dot adds nothing to an `i` or `j`.
            if scalar == "\u{0307}", let previous = scalars.last, previous == "i" || previous == "j" { continue }
            scalars.append(latinLookalikes[scalar] ?? scalar)
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// An email address's form: of its normalized address (`EmailAddress`), so `Ann@Bücher.de` and
    /// `ann@xn--bcher-kva.de` are one account.
    public static func email(_ text: String) -> String {
        of(EmailAddress.normalized(text) ?? text)
    }

    /// Lower-case letters from other scripts (and Latin letters) that render like a Latin letter.
    static let latinLookalikes: [Unicode.Scalar: Unicode.Scalar] = [
        "\u{0131}": "i", "\u{0237}": "j", "\u{0251}": "a", "\u{0261}": "g", "\u{026A}": "i", "\u{0269}": "i",
        "\u{029F}": "l", "\u{1D0F}": "o",
        // Cyrillic
        "\u{0430}": "a", "\u{0435}": "e", "\u{043E}": "o", "\u{0440}": "p", "\u{0441}": "c", "\u{0445}": "x",
        "\u{0443}": "y", "\u{0456}": "i", "\u{0458}": "j", "\u{0455}": "s", "\u{04BB}": "h", "\u{0501}": "d",
        "\u{051B}": "q", "\u{051D}": "w", "\u{04CF}": "l", "\u{0475}": "v",
        // Greek
        "\u{03BF}": "o", "\u{03B1}": "a", "\u{03BD}": "v", "\u{03C1}": "p", "\u{03BA}": "k", "\u{03B9}": "i",
        "\u{03C5}": "u", "\u{03C7}": "x", "\u{03F2}": "c", "\u{03F3}": "j",
        // Armenian
        "\u{0585}": "o", "\u{0570}": "h", "\u{0578}": "n", "\u{057D}": "u",
    ]
}
