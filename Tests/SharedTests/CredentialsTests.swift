import Foundation
import Testing
import TollgateBusAccess
import TollgateConfig
import TollgateContracts
import TollgateMessaging
import TollgateSecurity
import TollgateServiceKit
import TollgateTestSupport

@Suite("The deployment's credentials: made once, owner-only, found by every executable")
struct CredentialsTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("init makes a key per identity and the email keys, readable by the owner only, and reuses them")
    func prepare() throws {
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let folder = CredentialsFolder(layout: CredentialsLayout(dataDirectory: data.path))
        let first = try folder.prepare(Subjects(prefix: "acme"))
        #expect(Set(first.publicKeys.keys) == Set(BusIdentity.allCases))
        #expect(Set(first.publicKeys.values).count == BusIdentity.allCases.count, "one key each")
        #expect(try Self.mode(folder.layout.directory) == 0o700)
        for identity in BusIdentity.allCases {
            #expect(try Self.mode(folder.layout.natsSeed(identity.rawValue)) == 0o600)
        }
        #expect(try Self.mode(folder.layout.emailPrivateKey) == 0o600)
        let authorization = try String(contentsOfFile: folder.layout.natsAuthorization, encoding: .utf8)
        for (identity, key) in first.publicKeys {
            #expect(authorization.contains(key), "\(identity)")
            #expect(!authorization.contains(try folder.key(identity).seed))
        }
        #expect(authorization.contains("acme.auth.login"))

        let again = try folder.prepare(Subjects(prefix: "other"))
        #expect(again.created.isEmpty)
        #expect(again.publicKeys == first.publicKeys, "the same keys, reused")
        let rewritten = try String(contentsOfFile: folder.layout.natsAuthorization, encoding: .utf8)
        #expect(rewritten.contains("other.auth.login") && !rewritten.contains("acme.auth.login"), "permissions follow the prefix")
    }

    @Test("rotating one identity changes only its key; rotating the email key keeps the previous one to open with")
    func rotation() throws {
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let folder = CredentialsFolder(layout: CredentialsLayout(dataDirectory: data.path))
        let subjects = Subjects(prefix: "acme")
        let before = try folder.prepare(subjects).publicKeys
        let rotated = try folder.rotate(.billing, subjects)
        let after = try folder.prepare(subjects).publicKeys
        #expect(after[.billing] == rotated && rotated != before[.billing])
        #expect(after.filter { $0.key != .billing } == before.filter { $0.key != .billing })
        let authorization = try String(contentsOfFile: folder.layout.natsAuthorization, encoding: .utf8)
        #expect(authorization.contains(rotated) && !authorization.contains(before[.billing] ?? "-"))

        let oldPublic = try String(contentsOfFile: folder.layout.emailPublicKey, encoding: .utf8)
        let sealedBefore = try EmailSealer(publicKey: EmailKeys.publicKey(oldPublic))
            .seal(.testEmail(to: "a@example.com", number: 1), subject: "acme.email.test_email")
        _ = try folder.rotateEmailKey()
        let keys = try EmailKeys.privateKeys(String(contentsOfFile: folder.layout.emailPrivateKey, encoding: .utf8))
        #expect(keys.count == 2)
        #expect(try EmailOpener(privateKeys: keys).open(sealedBefore, subject: "acme.email.test_email").to == "a@example.com")
        _ = try folder.rotateEmailKey()
        #expect(try EmailKeys.privateKeys(String(contentsOfFile: folder.layout.emailPrivateKey, encoding: .utf8)).count == 2)
    }

    @Test("the assertion key: made once (private owner-only), rotated with the replaced public key kept second, each under its own key id")
    func assertionKey() throws {
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let folder = CredentialsFolder(layout: CredentialsLayout(dataDirectory: data.path))
        try folder.prepare(Subjects(prefix: "acme"))
        #expect(try Self.mode(folder.layout.assertionPrivateKey) == 0o600)
        #expect(try Self.mode(folder.layout.assertionPublicKeys) == 0o644)
        let privateText = try String(contentsOfFile: folder.layout.assertionPrivateKey, encoding: .utf8)
        let first = try AssertionKeys.publicJWKs(try String(contentsOfFile: folder.layout.assertionPublicKeys, encoding: .utf8))
        #expect(first.count == 1)
        #expect(first[0].kid == AssertionKeys.keyID(try AssertionKeys.privateKey(privateText).publicKey), "the public file is the private key's")
        #expect(try folder.prepare(Subjects(prefix: "acme")).created.isEmpty, "reused")

        let newKid = try folder.rotateAssertionKey()
        let rotated = try AssertionKeys.publicJWKs(try String(contentsOfFile: folder.layout.assertionPublicKeys, encoding: .utf8))
        #expect(rotated.map(\.kid) == [newKid, first[0].kid], "the new key first, the replaced one kept for what it signed")
        _ = try folder.rotateAssertionKey()
        let twice = try AssertionKeys.publicJWKs(try String(contentsOfFile: folder.layout.assertionPublicKeys, encoding: .utf8))
        #expect(twice.count == 2 && twice[1].kid == newKid, "the one before is dropped")
        #expect(try Self.mode(folder.layout.assertionPrivateKey) == 0o600)
        for garbage in ["", "not-base64!", "AAAA", String(repeating: "A", count: 42)] {
            #expect(throws: AssertionKeys.Problem.self, "\(garbage)") { _ = try AssertionKeys.privateKey(garbage) }
        }
        #expect(throws: AssertionKeys.Problem.self) { _ = try AssertionKeys.publicJWKs("AAAA") }
    }

    @Test("an executable finds its identity from the variable, the file it names, or the data folder; else the variable is named")
    func natsIdentity() throws {
        let data = try TemporaryDirectory()
        defer { data.remove() }
        func options(_ environment: [String: String], _ identity: BusIdentity) throws -> NatsClientOptions {
            var reader = EnvironmentReader(environment.merging(["TOLLGATE_DATA_DIR": data.path]) { own, _ in own })
            let common = CommonConfig.read(&reader)
            try reader.finish()
            return try common.natsOptions(identity: identity, name: "test")
        }
        do {
            _ = try options([:], .gateway)
            Issue.record("started without credentials")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("TOLLGATE_NATS_SEED"))
        }
        do {
            _ = try options([:], .authCLI)
            Issue.record("an operator command started without credentials")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("TOLLGATE_NATS_CLI_SEED"))
        }
        let folder = CredentialsFolder(layout: CredentialsLayout(dataDirectory: data.path))
        let made = try folder.prepare(Subjects())
        #expect(try options([:], .gateway).credentials.publicKey == made.publicKeys[.gateway])
        #expect(try options([:], .notifierCLI).credentials.publicKey == made.publicKeys[.notifierCLI])
        #expect(try options([:], .auth).inboxPrefix == "_INBOX.tollgate.auth")

        let own = NKey.generateUser()
        #expect(try options(["TOLLGATE_NATS_SEED": own.seed], .webhook).credentials.publicKey == own.publicKey)
        let file = data.path + "/seed"
        try own.seed.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try options(["TOLLGATE_NATS_SEED_FILE": file], .webhook).credentials.publicKey == own.publicKey)
        do {
            _ = try options(["TOLLGATE_NATS_SEED": "SUnope"], .webhook)
            Issue.record("a garbled seed was taken")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("TOLLGATE_NATS_SEED") && !error.description.contains("SUnope"))
        }
        #expect(!"\(try options(["TOLLGATE_NATS_SEED": own.seed], .webhook).credentials)".contains(own.seed))
    }
}
