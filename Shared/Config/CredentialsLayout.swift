/// Where `tollgate-credentials init` (run by `make run`) keeps the deployment's credentials under
/// the data folder, and so where every executable looks when no variable names them. The folder
/// is readable by its owner only.
public struct CredentialsLayout: Sendable, Equatable {
    public let directory: String

    public init(dataDirectory: String) {
        directory = "\(dataDirectory)/credentials"
    }

    /// The nkey seed of one NATS identity (`auth`, `auth-cli`, …).
    public func natsSeed(_ identity: String) -> String { "\(directory)/nats/\(identity).nk" }

    /// The server's `authorization` block: public keys and permissions, no secret.
    public var natsAuthorization: String { "\(directory)/nats-authorization.conf" }

    /// The password NATS servers present to each other on cluster routes.
    public var natsRoutePassword: String { "\(directory)/nats/cluster-route.password" }

    /// The configuration of server `number` of a cluster on this machine (`make cluster`); it
    /// holds the route password.
    public func natsClusterNode(_ number: Int) -> String { "\(directory)/nats-node-\(number).conf" }

    /// The Notifier's email key pair: Auth and Billing seal email commands to the public half.
    public var emailPublicKey: String { "\(directory)/email/notifier.public" }
    public var emailPrivateKey: String { "\(directory)/email/notifier.private" }

    /// The key the gateways sign identity assertions for upstream apps with: the private half is
    /// the gateways'; the public halves (newest first) are what Auth serves in its JWKS.
    public var assertionPrivateKey: String { "\(directory)/assertion/gateway.private" }
    public var assertionPublicKeys: String { "\(directory)/assertion/gateway.public" }
}
