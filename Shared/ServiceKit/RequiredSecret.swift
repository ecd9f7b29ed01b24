import TollgateConfig

/// A secret an executable cannot start without (its nkey seed, an email key), parsed; when it is
/// missing or does not parse, the configuration error names the variable and the default file,
/// never the secret's text.
func requiredSecret<Value>(
    _ secret: SecretText?, variable: String, what: String, defaultFile: String,
    _ parse: (String) throws -> Value
) throws(ConfigurationError) -> Value {
    guard let secret else {
        throw ConfigurationError(problems: [
            "\(variable) (or \(variable)_FILE): not set, and there is no \(what) at \(defaultFile) "
                + "(`make run` or `tollgate-credentials init` makes one)"
        ])
    }
    do {
        return try parse(secret.value)
    } catch {
        throw ConfigurationError(problems: ["\(variable): \(secret.source) does not hold \(what): \(error)"])
    }
}
