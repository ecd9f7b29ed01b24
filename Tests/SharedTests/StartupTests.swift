import Foundation
import Testing
import TollgateTestSupport

@Suite("Executables refuse a bad configuration")
struct StartupTests {
    @Test("each executable exits 78 naming every bad variable", arguments: ["gateway", "auth", "billing", "webhook", "notifier"])
    func badConfiguration(service: String) throws {
        let executable = BuiltExecutables.url(service)
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build the executables first")
        let process = Process()
        process.executableURL = executable
        process.environment = ["PATH": "/usr/bin:/bin", "NATS_URL": "http://wrong", "TOLLGATE_LOG_LEVEL": "chatty"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 78)
        #expect(output.contains("NATS_URL"))
        #expect(output.contains("TOLLGATE_LOG_LEVEL"))
    }
}
