import Foundation
import Testing

@testable import AuthService

@Suite("Identifiers that look the same are the same; addresses as HTML takes them; passwords as NIST says")
struct IdentifierRulesTests {
    @Test("look-alikes share one canonical form", arguments: [
        ("kelvin", "kelv\u{0131}n"), ("kelvin", "\u{FF4B}elvin"), ("kelvin", "\u{212A}elvin"), ("kelvin", "KELVIN"),
        ("apple", "\u{0430}pple"), ("paypal", "\u{0440}\u{0430}y\u{0440}\u{0430}l"), ("office", "o\u{FB03}ce"),
        ("scope", "\u{0455}\u{0441}\u{043E}\u{0440}\u{0435}"), ("istanbul", "\u{0130}stanbul"), ("polo", "p\u{03BF}l\u{03BF}"),
    ])
    func lookalikes(plain: String, lookalike: String) {
        #expect(CanonicalForm.of(lookalike) == CanonicalForm.of(plain), "\(lookalike)")
    }

    @Test("accents still make different names")
    func accents() {
        #expect(CanonicalForm.of("rené") != CanonicalForm.of("rene"))
        #expect(CanonicalForm.of("rene\u{301}") == CanonicalForm.of("rené"), "composed or not, one name")
    }

    @Test("usernames refuse format and control characters", arguments: [
        "ann\u{200D}a", "ann\u{200B}a", "\u{202E}anna", "ann\u{0007}a", "ann a", "ann@a", "an", String(repeating: "a", count: 33),
    ])
    func badUsernames(username: String) {
        #expect(Username.problem(username) != nil, "\(username.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("usernames in any script, with marks and digits", arguments: ["ann", "Zoë", "ren\u{0065}\u{0301}", "李小龍", "ana_maria-2.0", "Δήμητρα"])
    func goodUsernames(username: String) {
        #expect(Username.problem(username) == nil)
    }

    @Test("addresses: the HTML rule, a real domain, IDN as Punycode", arguments: [
        ("ada@example.com", "ada@example.com"), ("Ada.Lovelace+tag@Example.COM", "Ada.Lovelace+tag@Example.COM"),
        ("o'brien@example.ie", "o'brien@example.ie"), ("user@bücher.de", "user@xn--bcher-kva.de"),
        ("user@MÜNCHEN.de", "user@xn--mnchen-3ya.de"), ("  ada@example.com ", "ada@example.com"),
    ])
    func goodAddresses(text: String, stored: String) {
        #expect(EmailAddress.normalized(text) == stored)
    }

    @Test("addresses refused", arguments: [
        "<a@b.c>", "a@b", "a@localhost", "a@-b.com", "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", "a b@c.com",
        "kelv\u{0131}n@example.com", "\u{FF4B}elvin@example.com", "a@b.123", "@example.com", "a@", "a\"b@example.com",
        "a@" + String(repeating: "x", count: 64) + ".com", "a@exa_mple.com",
    ])
    func badAddresses(text: String) {
        #expect(EmailAddress.normalized(text) == nil, "\(text)")
    }

    @Test("Punycode as RFC 3492 and browsers write it", arguments: [
        ("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("ü", "tda"), ("中文", "fiq228c"), ("пример", "e1afmkfd"),
    ])
    func punycode(label: String, encoded: String) {
        #expect(Punycode.encode(label) == encoded)
    }

    @Test("common passwords, ones containing the account's names or the product's, and lengths in code points are refused", arguments: [
        "password", "12345678", "qwertyuiop", "iloveyou", "PASSWORD", "Tollgate2024", "my-tollgate-pw", "zoe.smith-2026",
        "xyz-zoe-123", "short", String(repeating: "a", count: 129), "ｐａｓｓｗｏｒｄ",
    ])
    func refusedPasswords(password: String) {
        #expect(PasswordPolicy().problem(password, email: "zoe.smith@example.com", username: "zoe") != nil, "\(password)")
    }

    @Test("good passwords pass; length counts code points after NFKC, not bytes or grapheme clusters")
    func acceptedPasswords() {
        let policy = PasswordPolicy()
        for password in ["correct horse battery staple", "analytical-engine", "violet-sky-41", "ÅÅÅÅÅÅÅÅ"] {
            #expect(policy.problem(password, email: "ada@example.com", username: "ada") == nil, "\(password)")
        }
        // Eight code points in four grapheme clusters (a thumb and a skin tone each): long enough.
        #expect(policy.problem(String(repeating: "👍🏽", count: 4), email: "x@example.com", username: "xyz") == nil)
        // Four letters with combining accents are eight code points typed, four after NFKC: too short.
        #expect(policy.problem("e\u{301}e\u{301}e\u{301}e\u{301}", email: "x@example.com", username: "xyz") != nil)
        // Seven code points in 21 bytes: too short.
        #expect(policy.problem("日本語のパスワ", email: "x@example.com", username: "xyz") != nil)
        #expect(policy.problem(String(repeating: "語", count: 128), email: "x@example.com", username: "xyz") == nil)
        #expect(PasswordPolicy(productName: "Acme").problem("acme-rocks-99", email: "x@example.com", username: "xyz") != nil)
        #expect(CommonPasswords.list.count == 10_000)
    }
}
