import Foundation
import NotifierService
import Testing
import TollgateContracts
import TollgateTestSupport

@Suite("Email rendering")
struct EmailRenderingTests {
    static let branding = Branding(
        productName: "Acme", supportEmail: "help@acme.test", publicURL: "https://acme.test", brandColor: "#123456")

    /// What each template's producer sends, built the way the producer builds it, and the value
    /// (link or code) the reader needs, which must reach both parts.
    static let producerCommands: [EmailTemplate: (command: EmailCommand, essential: String)] = [
        .verifyEmail: (
            .verifyEmail(to: "ann@example.com", username: "Ann & <Co>", verifyURL: "https://app/verify?token=a&b=1"),
            "https://app/verify?token=a&b=1"
        ),
        .resetPassword: (
            .resetPassword(
                to: "ann@example.com", username: "Ann & <Co>", resetURL: "https://app/reset-password?token=a&b=1",
                minutes: 30),
            "https://app/reset-password?token=a&b=1"
        ),
        .loginCode: (.loginCode(to: "ann@example.com", username: "Ann & <Co>", code: "042917", minutes: 15), "042917"),
        .passwordChanged: (
            .passwordChanged(to: "ann@example.com", username: "Ann & <Co>", when: "2026-11-24 10:00 UTC", ip: "203.0.113.9"),
            "203.0.113.9"
        ),
        .newSignIn: (
            .newSignIn(
                to: "ann@example.com", username: "Ann & <Co>", when: "2026-11-24 10:00 UTC", ip: "203.0.113.9",
                device: "Firefox"), "Firefox"
        ),
        .subscriptionStarted: (.subscription(.subscriptionStarted, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "Pro"),
        .subscriptionRenewed: (.subscription(.subscriptionRenewed, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "$12.00"),
        .subscriptionUpdated: (.subscription(.subscriptionUpdated, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "Pro"),
        .subscriptionCancellationScheduled: (
            .subscription(.subscriptionCancellationScheduled, to: "ann@example.com", username: "Ann & <Co>", facts: facts),
            "2026-12-24"
        ),
        .subscriptionCanceled: (.subscription(.subscriptionCanceled, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "Pro"),
        .paymentFailed: (.subscription(.paymentFailed, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "$12.00"),
        .duplicateSubscriptionCanceled: (
            .subscription(.duplicateSubscriptionCanceled, to: "ann@example.com", username: "Ann & <Co>", facts: facts), "$12.00"
        ),
        .signInCodesLocked: (.signInCodesLocked(to: "ann@example.com", username: "Ann & <Co>", attempts: 10, minutes: 60), "60 minutes"),
        .testEmail: (.testEmail(to: "ann@example.com", number: 42), "#42"),
    ]
    static let facts = SubscriptionFacts(planName: "Pro", amount: "$12.00", periodEnd: "2026-12-24")

    @Test("every template renders with the data its producer sends", arguments: EmailTemplate.allCases)
    func everyTemplate(template: EmailTemplate) throws {
        let renderer = try EmailRenderer(branding: Self.branding, overridesDirectory: nil)
        let (command, essential) = try #require(Self.producerCommands[template], "no producer data for \(template)")
        let email = try renderer.render(command)
        #expect(email.subject.contains("Acme"))
        #expect(email.text.contains(essential), "text is not HTML-escaped")
        #expect(email.html.contains(essential.replacingOccurrences(of: "&", with: "&amp;")), "HTML is escaped")
        if command.data["username"] != nil { #expect(email.html.contains("Ann &amp; &lt;Co&gt;")) }
        #expect(!email.text.contains("&amp;"))
        #expect(email.html.contains("#123456"), "the brand colour")
        #expect(email.text.contains("help@acme.test"), "the support address")
    }

    @Test("a variable the template needs but the command lacks is an error, not a blank")
    func missingVariable() throws {
        let renderer = try EmailRenderer(branding: Self.branding, overridesDirectory: nil)
        let incomplete = EmailCommand(template: .verifyEmail, to: "a@example.com", data: ["username": "a"])
        #expect(throws: RenderingError.self) { try renderer.render(incomplete) }
    }

    @Test("a file in the overrides folder replaces the built-in template of the same name")
    func overrides() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try "Welcome aboard {{username}}".write(
            toFile: folder.path + "/verify_email.subject.mustache", atomically: true, encoding: .utf8)
        let renderer = try EmailRenderer(branding: Self.branding, overridesDirectory: folder.path)
        let email = try renderer.render(.verifyEmail(to: "a@example.com", username: "Zoë", verifyURL: "u"))
        #expect(email.subject == "Welcome aboard Zoë")
    }

    @Test("the message is multipart/alternative with RFC 2047 headers and both parts")
    func mime() throws {
        let message = MimeMessage(
            from: "Tollgate <no-reply@example.com>", to: "zoe@example.com", toName: "Zoë", subject: "Grüße",
            text: "plain ✓", html: "<p>html ✓</p>", messageID: "abc@tollgate", date: Date(timeIntervalSince1970: 0))
        let text = message.render()
        #expect(text.contains("To: =?utf-8?B?\(Data("Zoë".utf8).base64EncodedString())?= <zoe@example.com>"))
        #expect(text.contains("Subject: =?utf-8?B?\(Data("Grüße".utf8).base64EncodedString())?="))
        #expect(text.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(text.contains("Message-ID: <abc@tollgate>"))
        #expect(MimeParts.decodedBodies(of: text) == ["plain ✓", "<p>html ✓</p>"])
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }
}
