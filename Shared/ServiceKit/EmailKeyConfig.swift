import TollgateConfig
import TollgateSecurity

extension CommonConfig {
    /// The sealer for Auth's and Billing's emails; without the Notifier's public key they cannot
    /// send any, which is a configuration error naming the variable.
    public func emailSealer() throws(ConfigurationError) -> EmailSealer {
        let key = try requiredSecret(
            emailPublicKey, variable: "TOLLGATE_EMAIL_PUBLIC_KEY", what: "the Notifier's public email key",
            defaultFile: credentials.emailPublicKey, EmailKeys.publicKey)
        return EmailSealer(publicKey: key)
    }

    /// The Notifier's opener, from every private key it holds.
    public func emailOpener() throws(ConfigurationError) -> EmailOpener {
        let keys = try requiredSecret(
            emailPrivateKey, variable: "TOLLGATE_EMAIL_PRIVATE_KEY", what: "the Notifier's private email keys",
            defaultFile: credentials.emailPrivateKey, EmailKeys.privateKeys)
        return EmailOpener(privateKeys: keys)
    }
}
