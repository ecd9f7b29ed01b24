import AuthService
import Foundation
import GatewayService
import Testing
import TollgateConfig
import TollgateSecurity
import TollgateTestSupport

@Suite("Configuration from environment variables")
struct ConfigurationTests {
    @Test("defaults apply when nothing is set")
    func defaults() throws {
        var reader = EnvironmentReader([:])
        let common = CommonConfig.read(&reader)
        try reader.finish()
        #expect(common.natsURL == "nats://127.0.0.1:4222")
        #expect(common.prefix == "tollgate")
        #expect(common.dataDirectory == ".data")
        #expect(common.environment == .development)
    }

    @Test("every bad variable is reported at once, by name")
    func everyProblemAtOnce() {
        var reader = EnvironmentReader([
            "NATS_URL": "http://nope", "TOLLGATE_PREFIX": "has.dot", "TOLLGATE_ENV": "staging",
            "TOLLGATE_LOG_LEVEL": "loud", "PORT_X": "99999", "FLAG": "maybe",
        ])
        _ = CommonConfig.read(&reader)
        _ = reader.port("PORT_X", default: 1)
        _ = reader.bool("FLAG", default: false)
        #expect(throws: ConfigurationError.self) { try reader.finish() }
        let names = reader.problems.map { String($0.prefix { $0 != ":" }) }
        #expect(Set(names) == ["NATS_URL", "TOLLGATE_PREFIX", "TOLLGATE_ENV", "TOLLGATE_LOG_LEVEL", "PORT_X", "FLAG"])
    }

    @Test("NATS_URL takes a cluster's servers comma-separated; replicas are 1…5; a bad entry or number is named")
    func clusterSettings() throws {
        var reader = EnvironmentReader([
            "NATS_URL": " nats://a:4222, nats://b:4223 ,tls://c:4224", "TOLLGATE_JETSTREAM_REPLICAS": "3",
        ])
        let common = CommonConfig.read(&reader)
        try reader.finish()
        #expect(common.natsURL == "nats://a:4222,nats://b:4223,tls://c:4224")
        #expect(common.jetStreamReplicas == 3)
        #expect(CommonConfig.read(&reader).jetStreamReplicas == 3)
        for (url, replicas) in [
            ("nats://a:4222,", "1"), ("nats://a:4222,http://b", "1"), ("nats://a:4222,,nats://b", "1"), ("nats://a", "0"),
            ("nats://a", "-1"), ("nats://a", "6"), ("nats://a", "9223372036854775807"), ("nats://a", "three"),
        ] {
            var bad = EnvironmentReader(["NATS_URL": url, "TOLLGATE_JETSTREAM_REPLICAS": replicas])
            _ = CommonConfig.read(&bad)
            let names = Set(bad.problems.map { String($0.prefix { $0 != ":" }) })
            #expect(names.count == 1, "\(url) \(replicas): \(bad.problems)")
            #expect(names.isSubset(of: ["NATS_URL", "TOLLGATE_JETSTREAM_REPLICAS"]))
        }
        #expect(redactedURL("nats://u:secret@a:4222,nats://u:secret@b:4223").contains("secret") == false)
        var tagged = EnvironmentReader(["TOLLGATE_JETSTREAM_PLACEMENT_TAGS": "zone:a, ssd"])
        #expect(CommonConfig.read(&tagged).jetStreamPlacementTags == ["zone:a", "ssd"])
        #expect(tagged.problems.isEmpty)
        for bad in ["a b", "a,,b", ",", "zone=a"] {
            var reader = EnvironmentReader(["TOLLGATE_JETSTREAM_PLACEMENT_TAGS": bad])
            _ = CommonConfig.read(&reader)
            #expect(reader.problems.map { String($0.prefix { $0 != ":" }) } == ["TOLLGATE_JETSTREAM_PLACEMENT_TAGS"], "\(bad)")
        }
    }

    @Test("NAME_FILE supplies a secret from a file; a missing file is a clear problem")
    func secretFromFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path + "/secret"
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        var reader = EnvironmentReader(["KEY_FILE": path, "OTHER_FILE": folder.path + "/missing"])
        #expect(reader.optionalString("KEY") == "s3cret")
        #expect(reader.optionalString("OTHER") == nil)
        #expect(reader.problems.first?.hasPrefix("OTHER_FILE") == true)
    }

    @Test("a bad assertion key is named at start: Auth's public keys, the gateway's private key")
    func assertionKeys() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let environment = ["TOLLGATE_DATA_DIR": folder.path]
        do {
            _ = try AuthConfig.from(environment.merging(["TOLLGATE_ASSERTION_PUBLIC_KEYS": "AAAA"]) { $1 })
            Issue.record("a bad public key was accepted")
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("TOLLGATE_ASSERTION_PUBLIC_KEYS") })
        }
        do {
            _ = try GatewayConfig.from(environment.merging(["TOLLGATE_ASSERTION_PRIVATE_KEY": "not-a-key"]) { $1 })
            Issue.record("a bad private key was accepted")
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("TOLLGATE_ASSERTION_PRIVATE_KEY") })
        }
        let pair = AssertionKeys.generate()
        let auth = try AuthConfig.from(environment.merging(["TOLLGATE_ASSERTION_PUBLIC_KEYS": pair.publicKey]) { $1 })
        #expect(auth.assertionPublicKeys.count == 1)
        #expect(try AuthConfig.from(environment).assertionPublicKeys.isEmpty, "none made yet: none served")
        #expect(try GatewayConfig.from(environment).assertionPrivateKey == nil)
    }

    @Test("a URL's password never appears in a message")
    func redaction() {
        #expect(redactedURL("postgres://user:hunter2@db/app") == "postgres://user:redacted@db/app")
        var reader = EnvironmentReader(["DB": "mysql://user:hunter2@db/app"])
        _ = reader.url("DB", default: "", schemes: ["postgres"])
        #expect(reader.problems.count == 1)
        #expect(reader.problems.allSatisfy { !$0.contains("hunter2") })
    }

    @Test(".env lines: comments, quotes and export are understood; the process environment wins")
    func dotEnv() {
        let parsed = DotEnv.parse("# comment\nexport A=1\nB=\"two words\"\nC='x'\nnot a line\n")
        #expect(parsed == ["A": "1", "B": "two words", "C": "x"])
    }
}
