import Foundation

/// NIST 800-63B's rules for a new password: 8 to 128 characters (Unicode code points after NFKC,
/// so a password typed on another keyboard counts the same), not one of the most common passwords
/// (`common-passwords.txt`), and not containing the account's email local part, username or the
/// product's name. No composition rules. Applied on registration, reset, change and admin creation.
public struct PasswordPolicy: Sendable {
    public static let lengths = 8...128
    /// Identifiers shorter than this are checked for equality only: containment would refuse
    /// too many good passwords.
    static let shortestContained = 3

    let productName: String

    public init(productName: String = "Tollgate") {
        self.productName = productName
    }

    /// Why `password` may not be used by the account with `email` and `username`, or nil.
    public func problem(_ password: String, email: String, username: String) -> String? {
        let normalized = password.precomposedStringWithCompatibilityMapping
        guard Self.lengths.contains(normalized.unicodeScalars.count) else {
            return "Password must be \(Self.lengths.lowerBound) to \(Self.lengths.upperBound) characters"
        }
        let folded = CanonicalForm.of(normalized)
        if CommonPasswords.list.contains(normalized.lowercased()) || CommonPasswords.list.contains(folded) {
            return "This password is one of the most common ones; choose another"
        }
        let localPart = String(email.prefix { $0 != "@" })
        for identifier in [localPart, username, productName, email] {
            let form = CanonicalForm.of(identifier)
            guard !form.isEmpty else { continue }
            if folded == form || (form.count >= Self.shortestContained && folded.contains(form)) {
                return "Password must not contain your email, your username or \(productName)"
            }
        }
        return nil
    }
}

/// The 10,000 most common passwords (see the file's header for where they come from), lower-case.
enum CommonPasswords {
    static let list: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("common-passwords.txt is missing from Auth's resources") }
        return Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.lowercased() })
    }()
}
