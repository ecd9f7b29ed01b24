/// The `authorization` block of nats-server's configuration: one user per identity, known by its
/// nkey's public half, with its permissions. No anonymous user, so the server refuses any client
/// that cannot sign its nonce with one of these keys. The block holds no secret.
public struct NatsAuthorization: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        /// A comment naming whose key this is (`tollgate auth`).
        public let label: String
        public let publicKey: String
        /// nil: no limits (only the tests' harness has none).
        public let permissions: NatsPermissions?

        public init(label: String, publicKey: String, permissions: NatsPermissions?) {
            self.label = label
            self.publicKey = publicKey
            self.permissions = permissions
        }
    }

    public var users: [User]

    public init(users: [User]) {
        self.users = users
    }

    /// The text nats-server reads (with `-c`, or `include`d from a configuration of one's own).
    public func rendered() -> String {
        var lines = [
            "# Written by tollgate-credentials from the identities' public keys and BusPermissions;",
            "# it is rewritten at every `tollgate-credentials init` (and so at every `make run`).",
            "authorization {",
            "  users = [",
        ]
        for user in users {
            lines.append("    # \(user.label)")
            lines.append("    {")
            lines.append("      nkey: \(Self.quoted(user.publicKey))")
            if let permissions = user.permissions {
                lines.append("      permissions: {")
                lines.append("        publish: \(Self.rule(permissions.publish))")
                lines.append("        subscribe: \(Self.rule(permissions.subscribe))")
                if permissions.allowResponses { lines.append("        allow_responses: true") }
                lines.append("      }")
            }
            lines.append("    }")
        }
        lines.append("  ]")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Double quotes keep `$JS…` and `$KV…` literal (unquoted, `$` starts a variable).
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func rule(_ subjects: [String]) -> String {
        // An empty allow list would read as "no restriction": deny everything instead.
        guard !subjects.isEmpty else { return "{ deny: [\">\"] }" }
        return "{ allow: [" + subjects.map(quoted).joined(separator: ", ") + "] }"
    }
}
