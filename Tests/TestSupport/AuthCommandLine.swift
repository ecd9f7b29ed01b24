import Foundation

/// Runs the built `tollgate-auth` executable the way an operator would, and collects what it said.
public enum AuthCommandLine {
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    /// `environment` is the whole environment of the child (plus PATH); `stdin` is typed as one line.
    public static func run(
        _ arguments: [String], environment: [String: String], stdin: String? = nil, executable: String = "auth"
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = BuiltExecutables.url(executable)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { own, _ in own }
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data((stdin + "\n").utf8)) }
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: text)
    }
}
