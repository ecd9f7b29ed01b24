import Foundation

/// Where and how to reach an SMTP server, from `smtp://user:pass@host:587?tls=required` or
/// `smtps://user:pass@host:465`.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicitTLS
        /// STARTTLS when the server offers it; `required` refuses to go on without it.
        case startTLS(required: Bool)
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO.
    public var heloName: String
    /// A PEM file of certificate authorities trusted besides the system's (a private relay's CA).
    public var caFile: String?
    public var commandTimeout: Duration = .seconds(30)
    /// An unused connection is closed after this long.
    public var idleTimeout: Duration = .seconds(30)

    public var isLoopback: Bool { ["localhost", "127.0.0.1", "::1"].contains(host) }

    /// Parses an `smtp://` or `smtps://` URL; nil with a reason in `problem` otherwise.
    public static func parse(_ text: String, heloName: String, caFile: String?) -> Result<SMTPSettings, MailURLError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { return .failure(MailURLError("expected smtp://[user:password@]host[:port] or smtps://…")) }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { $1 })
        let security: Security
        if scheme == "smtps" {
            security = .implicitTLS
        } else {
            switch query["tls"]?.lowercased() ?? "opportunistic" {
            case "required": security = .startTLS(required: true)
            case "opportunistic": security = .startTLS(required: false)
            default: return .failure(MailURLError("tls must be required or opportunistic"))
            }
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65535).contains(port) else { return .failure(MailURLError("port out of range")) }
        return .success(
            SMTPSettings(
                host: host, port: port, security: security,
                username: components.user?.removingPercentEncoding, password: components.password?.removingPercentEncoding,
                heloName: heloName, caFile: caFile))
    }
}

public struct MailURLError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
