/// One server of a NATS cluster, as nats-server's configuration: its client port, its route port,
/// its JetStream store, and routes to the other servers. Routes are authenticated: a server that
/// does not know the route password cannot join the cluster (and so cannot read the streams'
/// replicas). Clients are let in by the `authorization` block it includes.
public struct NatsClusterNode: Sendable, Equatable {
    public struct Address: Sendable, Equatable {
        public let host: String
        public let port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `HOST:PORT`.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (1...65_535).contains(port), colon != text.startIndex
            else { return nil }
            self.init(host: String(text[..<colon]), port: port)
        }
    }

    /// Unique within the cluster (JetStream tells replicas apart by it).
    public var serverName: String
    public var clusterName: String
    /// Where clients connect.
    public var client: Address
    /// Where the other servers connect.
    public var route: Address
    /// The address the route port listens on when it is not `route.host` (`0.0.0.0` in a
    /// container, whose peers know it by its service name).
    public var routeListenHost: String?
    /// Every server's route address, this one's included (it skips itself).
    public var peers: [Address]
    public var storeDirectory: String
    /// The secret every server of the cluster presents on its routes.
    public var routePassword: String
    /// The `authorization` block's file, relative to this configuration's folder.
    public var authorizationFile: String
    /// `server_tags`: what `TOLLGATE_JETSTREAM_PLACEMENT_TAGS` selects servers by (a zone, a disk).
    public var serverTags: [String] = []

    public init(
        serverName: String, clusterName: String = "tollgate", client: Address, route: Address, peers: [Address],
        storeDirectory: String, routePassword: String, authorizationFile: String, routeListenHost: String? = nil
    ) {
        self.routeListenHost = routeListenHost
        self.serverName = serverName
        self.clusterName = clusterName
        self.client = client
        self.route = route
        self.peers = peers
        self.storeDirectory = storeDirectory
        self.routePassword = routePassword
        self.authorizationFile = authorizationFile
    }

    /// The user name servers present on routes (the password is what matters).
    public static let routeUser = "tollgate-route"

    /// The configuration nats-server reads with `-c`. It holds the route password: keep it owner-only.
    public func rendered() -> String {
        let routes = peers.filter { $0 != route }.map {
            "    \"nats-route://\(Self.routeUser):\(routePassword)@\($0.host):\($0.port)\""
        }
        return """
            # Written by tollgate-credentials cluster; holds the route password (owner-only).
            server_name: "\(serverName)"\(serverTags.isEmpty ? "" : "\nserver_tags: [" + serverTags.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
            host: "\(client.host)"
            port: \(client.port)
            jetstream { store_dir: "\(storeDirectory)" }
            cluster {
              name: "\(clusterName)"
              host: "\(routeListenHost ?? route.host)"
              port: \(route.port)
              authorization { user: "\(Self.routeUser)", password: "\(routePassword)", timeout: 2 }
              routes: [
            \(routes.joined(separator: ",\n"))
              ]
            }
            include "\(authorizationFile)"

            """
    }
}
