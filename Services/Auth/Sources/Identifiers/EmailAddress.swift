import Foundation

/// Email addresses as the HTML specification's `input type=email` accepts them: a local part of
/// ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``, and a domain of at least two labels of
/// letters, digits and inner hyphens (an internationalised domain is taken in its Punycode form,
/// `xn--…`, as browsers send it), with a top-level label that is not all digits.
public enum EmailAddress {
    /// The address as Tollgate stores it (as typed, but an internationalised domain label in its
    /// ASCII form), or nil when it is not a valid address.
    public static func normalized(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let at = trimmed.lastIndex(of: "@") else { return nil }
        let local = trimmed[..<at]
        guard !local.isEmpty, local.unicodeScalars.allSatisfy(isLocalScalar),
            let domain = asciiDomain(String(trimmed[trimmed.index(after: at)...]))
        else { return nil }
        let address = "\(local)@\(domain)"
        return address.utf8.count <= 254 ? address : nil
    }

    private static let localSymbols = Set(".!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    private static func isLocalScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || localSymbols.contains(scalar))
    }

    private static func asciiDomain(_ text: String) -> String? {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        var ascii: [String] = []
        for label in labels {
            let encoded: String
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                encoded = String(label)
            } else {
                // IDNA's mapping, in short: compatibility forms and case folded before encoding.
                guard let puny = Punycode.encode(label.precomposedStringWithCompatibilityMapping.lowercased()) else {
                    return nil
                }
                encoded = "xn--" + puny
            }
            guard isLabel(encoded.lowercased()) else { return nil }
            ascii.append(encoded)
        }
        guard let last = ascii.last, !last.allSatisfy(\.isNumber) else { return nil }
        let domain = ascii.joined(separator: ".")
        return domain.utf8.count <= 253 ? domain : nil
    }

    /// `[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?`
    private static func isLabel(_ label: String) -> Bool {
        let bytes = Array(label.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
