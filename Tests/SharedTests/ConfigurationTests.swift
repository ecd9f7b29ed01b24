import Foundation
import Testing
import TollgateConfig
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
