import Foundation
import Synchronization

/// A real SMTP server (aiosmtpd, `smtp_sink.py` beside this file) on a loopback port, keeping every
/// accepted message as a file. It can be stopped and started again on the same port.
public final class SMTPServerProcess: Sendable {
    public struct Options: Sendable {
        /// PEM certificate and key: STARTTLS offered and required (or, with `implicitTLS`, TLS at once).
        public var certificate: (cert: String, key: String)?
        public var implicitTLS = false
        /// `user:password`: AUTH required; `loginOnly` offers AUTH LOGIN and not PLAIN.
        public var auth: String?
        public var loginOnly = false
        /// Recipients starting with this are refused with 550.
        public var rejectPrefix: String?
        /// Recipients starting with this are deferred with 451.
        public var deferPrefix: String?

        public init(
            certificate: (cert: String, key: String)? = nil, implicitTLS: Bool = false, auth: String? = nil,
            loginOnly: Bool = false, rejectPrefix: String? = nil, deferPrefix: String? = nil
        ) {
            self.certificate = certificate
            self.implicitTLS = implicitTLS
            self.auth = auth
            self.loginOnly = loginOnly
            self.rejectPrefix = rejectPrefix
            self.deferPrefix = deferPrefix
        }
    }

    public let port: Int
    public let folder: TemporaryDirectory
    private let options: Options
    private let running = Mutex<(process: Process, input: Pipe)?>(nil)

    public init(_ options: Options = Options(), port: Int? = nil) throws {
        self.port = try port ?? FreePort.next()
        self.folder = try TemporaryDirectory("tollgate-smtp")
        self.options = options
    }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("smtp_sink.py").path

    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var arguments = [Self.script, "--port", String(port), "--folder", folder.path]
        if let certificate = options.certificate {
            arguments += [options.implicitTLS ? "--implicit-tls" : "--starttls", certificate.cert, certificate.key]
        }
        if let auth = options.auth { arguments += ["--auth", auth] }
        if options.loginOnly { arguments.append("--login-only") }
        if let reject = options.rejectPrefix { arguments += ["--reject", reject] }
        if let deferred = options.deferPrefix { arguments += ["--defer", deferred] }
        process.arguments = arguments
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        ChildProcesses.track(process.processIdentifier)
        running.withLock { $0 = (process, input) }
        let port = self.port
        _ = try await eventually("SMTP server listening on \(port)") { FreePort.isListening(port) ? true : nil }
    }

    public func stop() {
        guard let (process, input) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        ChildProcesses.untrack(process.processIdentifier)
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// Every accepted message, in order of arrival, as the server stored it.
    public func messages() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { try? String(contentsOfFile: "\(folder.path)/\($0)", encoding: .utf8) }
    }

    /// How many SMTP sessions the accepted messages came over.
    public func connectionCount() -> Int {
        Set(messages().compactMap { $0.components(separatedBy: "\r\n").first { $0.hasPrefix("X-Connection:") } }).count
    }

    deinit {
        stop()
        folder.remove()
    }
}

/// A self-signed certificate for `localhost`, made with openssl for the test that needs it.
public struct TestCertificate: Sendable {
    public let cert: String
    public let key: String

    public static func make(in folder: TemporaryDirectory) throws -> TestCertificate {
        let cert = folder.path + "/cert.pem"
        let key = folder.path + "/key.pem"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
            "-out", cert,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DeadlineExceeded(what: "openssl to make a certificate") }
        return TestCertificate(cert: cert, key: key)
    }
}
