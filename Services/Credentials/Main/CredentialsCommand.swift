import ArgumentParser
import Foundation
import TollgateBusAccess
import TollgateConfig
import TollgateContracts

/// The deployment's credentials: one NATS identity (an nkey) per executable and operator command,
/// the Notifier's email key pair, and the nats-server `authorization` block that lets each
/// identity do only its own work. `make run` calls `init` at every start.
@main
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate-credentials",
        abstract: "Make and rotate Tollgate's NATS identities and email key (under $TOLLGATE_DATA_DIR/credentials).",
        subcommands: [Init.self, Cluster.self, Rotate.self, RotateEmailKey.self, RotateAssertionKey.self, Show.self], defaultSubcommand: Init.self)

    /// The data folder and prefix, as every executable reads them (`.env` included).
    struct Deployment: ParsableArguments {
        func resolve() -> (CredentialsFolder, Subjects) {
            let environment = DotEnv.merged(processEnvironment: ProcessInfo.processInfo.environment)
            let dataDirectory = environment["TOLLGATE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? ".data"
            let prefix = environment["TOLLGATE_PREFIX"].flatMap { $0.isEmpty ? nil : $0 } ?? "tollgate"
            return (CredentialsFolder(layout: CredentialsLayout(dataDirectory: dataDirectory)), Subjects(prefix: prefix))
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make what is missing and write the server's authorization block (the default; safe to repeat).")
        @OptionGroup var deployment: Deployment
        @Option(help: "UID:GID to own the files (docker-compose.yml: the containers' user).") var owner: String?

        func run() throws {
            let (folder, subjects) = deployment.resolve()
            let report = try folder.prepare(subjects)
            if let owner {
                let parts = owner.split(separator: ":").compactMap { UInt32($0) }
                guard parts.count == 2 else { throw ValidationError("--owner: expected UID:GID, got \(owner)") }
                try folder.chown(uid: parts[0], gid: parts[1])
            }
            for path in report.created { print("created \(path)") }
            print("NATS authorization for prefix \(subjects.prefix): \(folder.layout.natsAuthorization)")
        }
    }

    struct Cluster: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the configuration of NATS cluster servers (routes authenticated, JetStream on).",
            discussion: """
                On one machine (`make cluster`): `cluster --nodes 3` writes nats-node-1.conf … nats-node-3.conf \
                with client ports from --client-port and route ports from --route-port, all on 127.0.0.1. \
                Across hosts: `cluster --peers h1:6222,h2:6222,h3:6222 --client-host 0.0.0.0 --route-host 0.0.0.0` \
                writes every server's file (`--node K`: only server K's); the credentials folder must be \
                the same on every host (the route password and the authorization block).
                """)
        @OptionGroup var deployment: Deployment
        @Option(help: "Servers on this machine, on loopback ports.") var nodes: Int = 3
        @Option(help: "The first server's client port; the next servers take the ports after it.") var clientPort: Int = 4222
        @Option(help: "The first server's route port; the next servers take the ports after it.") var routePort: Int = 6222
        @Option(help: "Every server's route address, HOST:PORT, comma-separated (servers on several hosts).") var peers: String?
        @Option(help: "With --peers: only the file of this server (1-based); otherwise every server's.") var node: Int?
        @Option(help: "Where clients connect.") var clientHost: String = "127.0.0.1"
        @Option(help: "Where the route port listens, when not on the peer's own host (0.0.0.0 in containers).")
        var routeHost: String?
        @Option(help: "JetStream's store; each server uses a folder of its own in it.") var store: String?
        @Option(help: "Where to write the files (default: the credentials folder).") var out: String?
        @Option(help: "The authorization block the files include, as the server will see its path.")
        var authorization: String = "nats-authorization.conf"

        func run() throws {
            let (folder, subjects) = deployment.resolve()
            try folder.prepare(subjects)
            var store = self.store ?? (folder.layout.directory as NSString).deletingLastPathComponent + "/nats-cluster"
            // nats-server reads a relative store against its own working folder: made absolute here.
            if !store.hasPrefix("/") { store = FileManager.default.currentDirectoryPath + "/" + store }
            let written: [String]
            if let peers {
                let addresses = peers.split(separator: ",").map { NatsClusterNode.Address(String($0)) }
                guard addresses.allSatisfy({ $0 != nil }), node.map({ (1...addresses.count).contains($0) }) ?? true,
                    (1...65_000).contains(clientPort)
                else {
                    throw ValidationError("--peers HOST:PORT,… (--node, if given, between 1 and their count)")
                }
                let numbers = node.map { [$0] } ?? Array(1...addresses.count)
                written = try folder.writeClusterNodes(
                    numbers, peers: addresses.compactMap { $0 }, clientHost: clientHost,
                    clientPorts: numbers.map { _ in clientPort }, storeDirectory: store, routeListenHost: routeHost, folder: out,
                    authorization: authorization)
            } else {
                guard (1...9).contains(nodes), (1...65_000).contains(clientPort), (1...65_000).contains(routePort) else {
                    throw ValidationError("--nodes 1…9, ports 1…65000")
                }
                let peers = (0..<nodes).map { NatsClusterNode.Address(host: "127.0.0.1", port: routePort + $0) }
                written = try folder.writeClusterNodes(
                    Array(1...nodes), peers: peers, clientHost: clientHost, clientPorts: (0..<nodes).map { clientPort + $0 },
                    storeDirectory: store)
            }
            for path in written { print(path) }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give one identity a new key.",
            discussion: """
                The old key stops working once nats-server reads the new authorization block (a restart, or \
                `nats-server --signal reload`); restart the executable that uses the identity.
                """)
        @OptionGroup var deployment: Deployment
        @Argument(help: "One of: \(BusIdentity.allCases.map(\.rawValue).joined(separator: ", ")).")
        var identity: String

        func run() throws {
            guard let identity = BusIdentity(rawValue: identity) else {
                throw ValidationError("unknown identity \(identity)")
            }
            let (folder, subjects) = deployment.resolve()
            let publicKey = try folder.rotate(identity, subjects)
            print("\(identity.rawValue) now signs in as \(publicKey)")
        }
    }

    struct RotateEmailKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-email-key",
            abstract: "A new email key pair; the Notifier keeps the previous key to open emails sealed before.",
            discussion: "Restart the Notifier, then Auth and Billing.")
        @OptionGroup var deployment: Deployment

        func run() throws {
            let (folder, _) = deployment.resolve()
            print("emails are now sealed for key \(try folder.rotateEmailKey())")
        }
    }

    struct RotateAssertionKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-assertion-key",
            abstract: "A new key for the gateways' identity assertions; apps keep verifying the previous one.",
            discussion: "Restart Auth (its JWKS then serves both), then the gateways.")
        @OptionGroup var deployment: Deployment

        func run() throws {
            let (folder, _) = deployment.resolve()
            print("assertions are now signed with key \(try folder.rotateAssertionKey())")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every identity's public key and file.")
        @OptionGroup var deployment: Deployment

        func run() throws {
            let (folder, _) = deployment.resolve()
            for identity in BusIdentity.allCases {
                let key = try folder.key(identity)
                print("\(identity.rawValue)\t\(key.publicKey)\t\(folder.layout.natsSeed(identity.rawValue))")
            }
        }
    }
}
