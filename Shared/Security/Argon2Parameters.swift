/// Argon2id cost parameters. Defaults follow OWASP's guidance for Argon2id (19 MiB, 2 passes, one
/// lane); tests lower them.
public struct Argon2Parameters: Sendable, Equatable {
    public var memoryKiB: UInt32
    public var iterations: UInt32
    public var parallelism: UInt32

    public init(memoryKiB: UInt32 = 19456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// Cheap parameters for tests only.
    public static let testing = Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

    /// Reads `m=…,t=…,p=…` out of a PHC string such as `$argon2id$v=19$m=65536,t=3,p=4$salt$hash`.
    public init?(phc: String) {
        let parts = phc.split(separator: "$")
        guard parts.count == 5, parts[0] == "argon2id" else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in parts[2].split(separator: ",") {
            let keyValue = pair.split(separator: "=")
            guard keyValue.count == 2, let number = UInt32(keyValue[1]) else { return nil }
            values[keyValue[0]] = number
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        self.init(memoryKiB: m, iterations: t, parallelism: p)
    }
}
