import Foundation
import TollgateContracts

/// Builds an RFC 5322 message with `multipart/alternative` text and HTML parts. Non-ASCII header
/// text is RFC 2047 encoded; bodies are base64 in 76-character lines.
public struct MimeMessage: Sendable {
    public let from: String
    public let to: String
    public let toName: String?
    public let subject: String
    public let text: String
    public let html: String
    public let messageID: String
    public let date: Date
    public let replyTo: String?

    public init(
        from: String, to: String, toName: String?, subject: String, text: String, html: String, messageID: String,
        date: Date, replyTo: String? = nil
    ) {
        self.replyTo = replyTo
        self.from = from
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    public func render() -> String {
        let boundary = "tollgate-" + messageID.filter { $0.isLetter || $0.isNumber }
        let recipient = toName.map { "\(MimeMessage.encodeHeaderWord($0)) <\(to)>" } ?? to
        var lines = ["From: \(MimeMessage.encodeMailbox(from))", "To: \(recipient)"]
        if let replyTo { lines.append("Reply-To: \(MimeMessage.encodeMailbox(replyTo))") }
        lines += [
            "Subject: \(MimeMessage.encodeHeaderWord(subject))",
            "Date: \(MimeMessage.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += MimeMessage.base64Lines(text)
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += MimeMessage.base64Lines(html)
        lines += ["--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2047 `=?utf-8?B?…?=` for non-ASCII text, in words of at most 75 characters folded onto
    /// continuation lines, never splitting a character; ASCII without line breaks passes unchanged.
    static func encodeHeaderWord(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) { return clean }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            // 39 bytes of UTF-8 make 52 base64 characters: with `=?utf-8?B?` and `?=`, 64, which
            // leaves room for the header name on the first line within 78.
            if chunk.utf8.count + String(character).utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// `Name <address>` with the name encoded when it is not ASCII; a bare address as it is.
    static func encodeMailbox(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), mailbox.hasSuffix(">") else { return mailbox }
        let name = mailbox[..<open].trimmingCharacters(in: .whitespaces)
        let address = mailbox[open...]
        return name.isEmpty ? String(address) : "\(encodeHeaderWord(name)) \(address)"
    }

    /// The bare address of `Name <address>` (for the SMTP envelope).
    static func address(of mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces)
        }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func rfc5322Date(_ date: Date) -> String {
        EmailDates.header(date)
    }
}
