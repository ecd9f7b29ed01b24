import Foundation
import Testing
import TollgateContracts
import TollgateSecurity

@Suite("Email commands sealed for the Notifier")
struct EmailSealingTests {
    let pair = EmailKeys.generate()
    let command = EmailCommand.resetPassword(
        to: "ada@example.com", username: "ada", resetURL: "https://app.example/reset-password?token=SECRET-TOKEN", minutes: 30)
    let subject = "tollgate.email.reset_password"

    func sealer() throws -> EmailSealer { EmailSealer(publicKey: try EmailKeys.publicKey(pair.publicKey)) }
    func opener() throws -> EmailOpener { EmailOpener(privateKeys: try EmailKeys.privateKeys(pair.privateKey)) }

    @Test("what is sealed opens with the Notifier's key on its subject, and shows nothing of itself")
    func roundTrip() throws {
        let sealed = try sealer().seal(command, subject: subject)
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(!text.contains("SECRET-TOKEN") && !text.contains("ada@example.com") && !text.contains("reset"))
        #expect(try opener().open(sealed, subject: subject) == command)
        #expect(try sealer().seal(command, subject: subject) != sealed, "a fresh key per message")
    }

    @Test("another subject, another key, an altered byte or plain JSON does not open")
    func refusals() throws {
        let sealed = try sealer().seal(command, subject: subject)
        #expect(throws: EmailOpener.Failure.tampered) {
            try opener().open(sealed, subject: "tollgate.email.subscription_started")
        }
        let stranger = EmailOpener(privateKeys: try EmailKeys.privateKeys(EmailKeys.generate().privateKey))
        #expect(throws: EmailOpener.Failure.unknownKey(try JSONDecoder().decode(SealedEmail.self, from: sealed).sealedFor)) {
            try stranger.open(sealed, subject: subject)
        }
        var envelope = try JSONDecoder().decode(SealedEmail.self, from: sealed)
        var bytes = try #require(Base64URL.decode(envelope.ciphertext))
        bytes[bytes.count / 2] ^= 1
        envelope = SealedEmail(
            sealedFor: envelope.sealedFor, encapsulatedKey: envelope.encapsulatedKey, ciphertext: Base64URL.encode(bytes))
        #expect(throws: EmailOpener.Failure.tampered) { try opener().open(JSONEncoder().encode(envelope), subject: subject) }
        #expect(throws: EmailOpener.Failure.notSealed) { try opener().open(JSONEncoder().encode(command), subject: subject) }
    }

    @Test("after a rotation the Notifier opens what was sealed for the previous key too")
    func rotation() throws {
        let old = try sealer().seal(command, subject: subject)
        let next = EmailKeys.generate()
        let both = EmailOpener(privateKeys: try EmailKeys.privateKeys(next.privateKey + "\n" + pair.privateKey + "\n"))
        #expect(try both.open(old, subject: subject) == command)
        let fresh = try EmailSealer(publicKey: EmailKeys.publicKey(next.publicKey)).seal(command, subject: subject)
        #expect(try both.open(fresh, subject: subject) == command)
        #expect(throws: EmailKeys.Invalid.self) { try EmailKeys.privateKeys("# nothing here\n") }
        #expect(throws: EmailKeys.Invalid.self) { try EmailKeys.publicKey("short") }
    }
}
