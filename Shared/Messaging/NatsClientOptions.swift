/// How one executable connects to NATS: where, as whom, and over what.
public struct NatsClientOptions: Sendable {
    /// `nats://host:port` or `tls://host:port`; several servers comma-separated.
    public var url: String
    /// The connection's name as the server shows it (`tollgate-auth`).
    public var name: String
    /// The identity's nkey: the server checks the signature of its nonce against the public key.
    public var credentials: NatsCredentials
    /// Replies to this connection's requests arrive under this prefix (its identity may subscribe
    /// there and nowhere else among inboxes).
    public var inboxPrefix: String
    /// PEM file of the certificate authorities that sign the server's certificate (`tls://`).
    public var caFile: String?

    public init(url: String, name: String, credentials: NatsCredentials, inboxPrefix: String, caFile: String? = nil) {
        self.url = url
        self.name = name
        self.credentials = credentials
        self.inboxPrefix = inboxPrefix
        self.caFile = caFile
    }

    /// The servers of `url`, one per element.
    var servers: [String] {
        url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// True when the URL asks for TLS (libnats then refuses a server without it).
    var wantsTLS: Bool {
        url.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("tls://") }
    }
}

/// An nkey as libnats needs it: the public key for the `CONNECT`, the seed to sign the nonce with.
/// The seed is never logged; `description` shows only the public key.
public struct NatsCredentials: Sendable, CustomStringConvertible {
    public let publicKey: String
    let seed: String

    public init(publicKey: String, seed: String) {
        self.publicKey = publicKey
        self.seed = seed
    }

    public var description: String { "nkey \(publicKey)" }
}
