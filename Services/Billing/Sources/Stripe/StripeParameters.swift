import Foundation

/// A request parameter for Stripe's v1 API, encoded in its bracket notation:
/// `metadata[user_id]=42`, `line_items[0][price]=price_1`, `expand[0]=customer`.
public indirect enum StripeParameter: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([StripeParameter])
    case object([(String, StripeParameter)])

    public static func == (lhs: StripeParameter, rhs: StripeParameter) -> Bool {
        StripeForm.encode(["x": lhs]) == StripeForm.encode(["x": rhs])
    }
}

extension StripeParameter: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: StripeParameter...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, StripeParameter)...) { self = .object(elements) }
}

/// `application/x-www-form-urlencoded` in Stripe's notation, parameters in the order given (so the
/// same write always encodes the same way, which an idempotency key requires).
public enum StripeForm {
    public static func encode(_ parameters: KeyValuePairs<String, StripeParameter>) -> String {
        encode(parameters.map { ($0.key, $0.value) })
    }

    public static func encode(_ parameters: [(String, StripeParameter)]) -> String {
        var pairs: [String] = []
        for (key, value) in parameters { flatten(key, value, into: &pairs) }
        return pairs.joined(separator: "&")
    }

    private static func flatten(_ key: String, _ value: StripeParameter, into pairs: inout [String]) {
        switch value {
        case .string(let text): pairs.append("\(escapeKey(key))=\(escape(text))")
        case .int(let number): pairs.append("\(escapeKey(key))=\(number)")
        case .bool(let flag): pairs.append("\(escapeKey(key))=\(flag ? "true" : "false")")
        case .list(let items):
            for (index, item) in items.enumerated() { flatten("\(key)[\(index)]", item, into: &pairs) }
        case .object(let fields):
            for (name, field) in fields { flatten("\(key)[\(name)]", field, into: &pairs) }
        }
    }

    /// Unreserved characters stay; everything else is percent-encoded (so `{` in a URL template
    /// arrives as `%7B` and Stripe decodes it back).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// Brackets stay literal in keys, as Stripe's libraries send them in bodies.
    private static func escapeKey(_ key: String) -> String {
        key.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: "[]"))) ?? ""
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
