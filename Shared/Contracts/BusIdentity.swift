/// Who is on the NATS bus: every executable, and every operator command that talks to NATS, has
/// an identity of its own with its own key and only the permissions it needs (`BusPermissions`).
public enum BusIdentity: String, Sendable, CaseIterable, Codable {
    case gateway, auth, billing, webhook, notifier
    /// `tollgate-auth rotate-key`.
    case authCLI = "auth-cli"
    /// `tollgate-notifier dead-letters …` and `send-test`.
    case notifierCLI = "notifier-cli"

    /// The identity a service runs as.
    public init(_ service: ServiceName) {
        switch service {
        case .gateway: self = .gateway
        case .auth: self = .auth
        case .billing: self = .billing
        case .webhook: self = .webhook
        case .notifier: self = .notifier
        }
    }

    /// An operator command's identity rather than a running service's.
    public var isOperatorCommand: Bool { self == .authCLI || self == .notifierCLI }

    /// Replies to this identity's requests arrive under this prefix, and only this identity may
    /// subscribe there: nobody reads another's replies (tokens, passwords, account data).
    public func inboxPrefix(_ subjects: Subjects) -> String {
        "_INBOX.\(subjects.prefix).\(rawValue)"
    }
}
