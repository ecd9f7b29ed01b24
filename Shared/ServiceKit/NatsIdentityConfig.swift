import Foundation
import TollgateConfig
import TollgateContracts
import TollgateMessaging
import TollgateSecurity

extension CommonConfig {
    /// How `identity` connects: the server, its nkey and TLS. A missing or unreadable seed is a
    /// configuration error naming the variable, raised before any connection is tried.
    public func natsOptions(identity: BusIdentity, name: String) throws(ConfigurationError) -> NatsClientOptions {
        let variable = Self.seedVariable(of: identity)
        let defaultFile = credentials.natsSeed(identity.rawValue)
        let given = identity.isOperatorCommand ? natsCLISeed : natsSeed
        let key = try requiredSecret(
            given ?? SecretText.read(file: defaultFile), variable: variable,
            what: "an nkey seed of the \(identity.rawValue) identity", defaultFile: defaultFile) { try NKey(seed: $0) }
        return NatsClientOptions(
            url: natsURL, name: name, credentials: NatsCredentials(publicKey: key.publicKey, seed: key.seed),
            inboxPrefix: identity.inboxPrefix(Subjects(prefix: prefix)), caFile: natsCAFile)
    }

    /// The variable that gives `identity` its seed: operator commands have one of their own, so a
    /// service's environment never hands them the service's key.
    static func seedVariable(of identity: BusIdentity) -> String {
        identity.isOperatorCommand ? "TOLLGATE_NATS_CLI_SEED" : "TOLLGATE_NATS_SEED"
    }
}
