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
        subcommands: [Init.self, Rotate.self, RotateEmailKey.self, Show.self], defaultSubcommand: Init.self)

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
