/// Every bad configuration variable found at start-up, reported together.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
