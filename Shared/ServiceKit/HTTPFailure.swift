/// An error a handler throws to answer with a status and the contract's `{"detail": …}` body.
public struct HTTPFailure: Error, Sendable, Equatable {
    public let status: Int
    public let detail: String
    public var headers: [(String, String)] = []

    public init(_ status: Int, _ detail: String, headers: [(String, String)] = []) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static func == (lhs: HTTPFailure, rhs: HTTPFailure) -> Bool {
        lhs.status == rhs.status && lhs.detail == rhs.detail
    }
}

/// Request validation failed: answered 422 with `{"errors": {field: message}}`.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let errors: [String: String]
    public init(_ errors: [String: String]) { self.errors = errors }
    public init(field: String, _ message: String) { self.errors = [field: message] }
}
