import Foundation

/// Decodes request bodies into the contract's 422 shape on failure.
public enum JSONBody {
    public static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws(ValidationFailure) -> Body {
        if data.isEmpty { throw ValidationFailure(field: "body", "A JSON body is required") }
        if let problem = JSONSyntax.problem(in: data) { throw ValidationFailure(field: "body", problem.message) }
        do {
            return try JSONCoding.decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw ValidationFailure(describing: error)
        } catch {
            throw ValidationFailure(field: "body", "Body is not valid JSON")
        }
    }
}

extension ValidationFailure {
    init(describing error: DecodingError) {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "body" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: field(context.codingPath + [key]), "Field required")
        case .valueNotFound(_, let context):
            self.init(field: field(context.codingPath), "Field required")
        case .typeMismatch(let type, let context):
            self.init(field: field(context.codingPath), "Expected \(JSONTypeName.of(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(field: "body", "Body is not valid JSON")
            } else {
                self.init(field: field(context.codingPath), "Invalid value")
            }
        @unknown default:
            self.init(field: "body", "Body is not valid JSON")
        }
    }
}

enum JSONTypeName {
    static func of(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}

extension JSONSyntax.Problem {
    var message: String {
        switch self {
        case .invalid: "Body is not valid JSON"
        case .duplicateKey(let key): "Duplicate key \"\(key.prefix(64))\""
        // PostgreSQL refuses NUL in text, and no field of ours needs one.
        case .nul: "Strings may not contain NUL characters"
        case .tooDeep: "Body is nested more than \(JSONSyntax.maximumDepth) levels deep"
        }
    }
}
