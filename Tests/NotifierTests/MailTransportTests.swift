import Foundation
import Testing

@testable import NotifierService

@Suite("Mail transport settings and SMTP details")
struct MailTransportTests {
    static func smtp(_ text: String) -> SMTPSettings? {
        guard case .success(.smtp(let settings)) = MailURL.parse(text, heloName: "me", caFile: nil) else { return nil }
        return settings
    }

    @Test("smtp and smtps URLs: ports, TLS mode, percent-encoded credentials")
    func smtpURLs() throws {
        let plain = try #require(Self.smtp("smtp://mail.example.com"))
        #expect(plain.port == 587)
        #expect(plain.security == .startTLS(required: false))
        #expect(plain.username == nil)
        let required = try #require(Self.smtp("smtp://u%40x:p%20w@mail.example.com:2525?tls=required"))
        #expect(required.port == 2525)
        #expect(required.security == .startTLS(required: true))
        #expect(required.username == "u@x")
        #expect(required.password == "p w")
        let implicit = try #require(Self.smtp("smtps://mail.example.com"))
        #expect(implicit.port == 465)
        #expect(implicit.security == .implicitTLS)
    }

    @Test("file and log URLs; anything else is refused with a reason")
    func otherURLs() {
        #expect(MailURL.parse("file:///var/mail/out", heloName: "me", caFile: nil) == .success(.file(directory: "/var/mail/out")))
        #expect(MailURL.parse("file://.data/mail", heloName: "me", caFile: nil) == .success(.file(directory: ".data/mail")))
        #expect(MailURL.parse("log://", heloName: "me", caFile: nil) == .success(.log))
        for bad in ["", "file://", "http://mail.example.com", "smtp://", "smtp://host?tls=sometimes", "smtp://host:70000"] {
            guard case .failure = MailURL.parse(bad, heloName: "me", caFile: nil) else {
                Issue.record("\(bad) should be refused")
                continue
            }
        }
    }

    @Test("a bad TOLLGATE_MAIL_URL stops the start-up with the variable's name")
    func configuration() {
        #expect(throws: (any Error).self) { try NotifierConfig.from(["TOLLGATE_MAIL_URL": "carrier-pigeon://coop"]) }
        let config = try? NotifierConfig.from(["TOLLGATE_DATA_DIR": "/tmp/x"])
        #expect(config?.mail == .file(directory: "/tmp/x/mail"))
        #expect(config?.branding.supportEmail == "no-reply@localhost")
    }

    @Test("dot-stuffing doubles a leading dot and ends with CRLF")
    func dotStuffing() {
        #expect(SMTPConnection.dotStuffed("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n")
        #expect(SMTPConnection.dotStuffed("no newline") == "no newline\r\n")
        #expect(SMTPConnection.dotStuffed(".") == "..\r\n")
        #expect(SMTPConnection.dotStuffed("a\r\n\r\n.") == "a\r\n\r\n..\r\n", "an empty line, then a dot line")
        #expect(SMTPConnection.dotStuffed("a\n.b\r\n") == "a\n.b\r\n", "a bare LF does not start a line")
        #expect(SMTPConnection.dotStuffed("é.\r\n.ü") == "é.\r\n..ü\r\n")
        #expect(SMTPConnection.dotStuffed("") == "\r\n")
    }

    @Test("replies are judged by class: 5xx permanent, 4xx transient")
    func replyClasses() {
        #expect(MailDeliveryError.rejected("RCPT TO", SMTPReply(code: 550, lines: ["no"])) == .permanent("RCPT TO refused: 550 no"))
        #expect(MailDeliveryError.rejected("MAIL FROM", SMTPReply(code: 451, lines: ["later"])) == .transient("MAIL FROM refused: 451 later"))
    }

    @Test("long non-ASCII header text becomes encoded words of at most 75 characters, never splitting a character")
    func headerWords() {
        let subject = String(repeating: "Grüße aus Köln, ", count: 6) + "✓"
        let encoded = MimeMessage.encodeHeaderWord(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?utf-8?B?") && $0.hasSuffix("?=") })
        let decoded = words.map { word in
            String(decoding: Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == subject)
        #expect(MimeMessage.encodeHeaderWord("plain\r\ntext") == "plain  text", "no header injection")
    }

    @Test("mailboxes: the name is encoded, the address kept; the envelope gets the bare address")
    func mailboxes() {
        #expect(MimeMessage.encodeMailbox("Acme <a@b.c>") == "Acme <a@b.c>")
        #expect(MimeMessage.encodeMailbox("Zoë <z@b.c>") == "=?utf-8?B?\(Data("Zoë".utf8).base64EncodedString())?= <z@b.c>")
        #expect(MimeMessage.address(of: "Zoë <z@b.c>") == "z@b.c")
        #expect(MimeMessage.address(of: " z@b.c ") == "z@b.c")
    }
}
