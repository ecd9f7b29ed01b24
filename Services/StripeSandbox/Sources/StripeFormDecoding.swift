import Foundation

/// `application/x-www-form-urlencoded` in Stripe's bracket notation, read the way Stripe reads it:
/// `a[b][0][c]=v`, indexed or `[]` arrays, brackets literal or percent-encoded, `+` as a space.
public struct SandboxForm: Sendable {
    /// Keys as sent (brackets decoded, `[]` numbered in order), values decoded.
    public let pairs: [(key: String, value: String)]

    public init(_ text: String) {
        var counters: [String: Int] = [:]
        pairs = text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            var key = Self.decode(parts[0])
            if let range = key.range(of: "[]") {
                let base = String(key[..<range.lowerBound])
                let index = counters[base, default: 0]
                counters[base] = index + 1
                key.replaceSubrange(range, with: "[\(index)]")
            }
            return (key, parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    public subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    /// Every value under `prefix[…]`, by the rest of the key: `metadata` → `["user_id": "42"]`.
    func map(_ prefix: String) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in pairs where key.hasPrefix(prefix + "[") && key.hasSuffix("]") {
            let inner = key.dropFirst(prefix.count + 1).dropLast()
            if !inner.contains("[") && !value.isEmpty { values[String(inner)] = value }
        }
        return values
    }

    /// The key's parts: `line_items[0][price]` → `["line_items", "0", "price"]`.
    static func path(_ key: String) -> [String] {
        key.replacingOccurrences(of: "]", with: "").split(separator: "[", omittingEmptySubsequences: false).map(String.init)
    }

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
    }
}

/// The request parameters Stripe accepts per endpoint (`stripe-params.json`, derived from Stripe's
/// own type definitions for API version 2026-10-28.endive): the sandbox refuses any other key with
/// `parameter_unknown`, as Stripe does.
struct StripeParameterSchema: Sendable {
    private let endpoints: [String: Node]

    indirect enum Node: Sendable {
        case scalar
        case object([String: Node])
        case array(Node)
        case map
    }

    static let shared: StripeParameterSchema = {
        guard let url = Bundle.module.url(forResource: "stripe-params", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let endpoints = root["endpoints"] as? [String: Any]
        else { return StripeParameterSchema(endpoints: [:]) }
        return StripeParameterSchema(endpoints: endpoints.mapValues { node($0) })
    }()

    private static func node(_ any: Any) -> Node {
        guard let spec = any as? [String: Any] else { return .scalar }
        switch spec["type"] as? String {
        case "object": return .object(((spec["properties"] as? [String: Any]) ?? [:]).mapValues { node($0) })
        case "array": return .array(node(spec["items"] ?? [:]))
        case "map": return .map
        default: return .scalar
        }
    }

    /// The first key the endpoint (`POST /v1/customers/{customer}`) does not accept, if any.
    func unknownKey(in form: SandboxForm, endpoint: String) -> String? {
        guard let root = endpoints[endpoint] else { return nil }
        for (key, _) in form.pairs where !accepts(SandboxForm.path(key)[...], root) { return key }
        return nil
    }

    private func accepts(_ path: ArraySlice<String>, _ node: Node) -> Bool {
        guard let head = path.first else { return true }
        switch node {
        case .scalar: return false
        case .map: return path.count == 1
        case .array(let item): return Int(head) != nil && accepts(path.dropFirst(), item)
        case .object(let properties):
            guard let child = properties[head] else { return false }
            return accepts(path.dropFirst(), child)
        }
    }
}
