import Foundation

/// Decodes request bodies into the contract's 422 shape on failure.
public enum JSONBody {
    public static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws(ValidationFailure) -> Body {
        if data.isEmpty { throw ValidationFailure(field: "body", "A JSON body is required") }
        // Foundation accepts \u0000 inside strings, which PostgreSQL later refuses.
        if JSONNulScanner.containsNul(data) {
            throw ValidationFailure(field: "body", "Strings may not contain NUL characters")
        }
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

/// Finds a NUL character in a JSON text: a raw 0x00 byte, or a `\u0000` escape inside a string
/// (an escaped backslash followed by `u0000` is not one).
enum JSONNulScanner {
    static func containsNul(_ data: Data) -> Bool {
        var insideString = false
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            if byte == 0 { return true }
            if insideString {
                if byte == UInt8(ascii: "\\") {
                    let next = data.index(after: index)
                    guard next < data.endIndex else { return false }
                    if data[next] == UInt8(ascii: "u"), isZeroEscape(data, from: data.index(after: next)) { return true }
                    index = data.index(after: next)
                    continue
                }
                if byte == UInt8(ascii: "\"") { insideString = false }
            } else if byte == UInt8(ascii: "\"") {
                insideString = true
            }
            index = data.index(after: index)
        }
        return false
    }

    private static func isZeroEscape(_ data: Data, from start: Data.Index) -> Bool {
        guard data.distance(from: start, to: data.endIndex) >= 4 else { return false }
        return data[start..<(start + 4)].allSatisfy { $0 == UInt8(ascii: "0") }
    }
}
