/// The contract's error shapes: `{"detail": …}` for errors, `{"errors": {field: message}}` for 422.
public struct ErrorBody: Codable, Sendable, Equatable {
    public let detail: String
    public init(detail: String) { self.detail = detail }
}

public struct ValidationErrorBody: Codable, Sendable, Equatable {
    public let errors: [String: String]
    public init(errors: [String: String]) { self.errors = errors }
}
