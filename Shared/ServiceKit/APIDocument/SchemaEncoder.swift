import Foundation

/// Derives a body's JSON Schema from an example of it: encodes the example and records what the
/// type's own `encode(to:)` writes — which keys, of what JSON types, which only when present
/// (`encodeIfPresent`) — so the schema follows the encoding wherever it changes.
public enum SchemaEncoder {
    public static func schema(of example: some Encodable) -> JSONSchema {
        let node = SchemaNode()
        node.record(example)
        return node.schema
    }
}

/// What has been learnt about one JSON value while its example was encoded.
final class SchemaNode {
    enum Kind {
        case unknown, string(format: String?), integer, number, boolean, array, object, dictionary
    }

    var kind = Kind.unknown
    var nullable = false
    var properties: [String: SchemaNode] = [:]
    var required: Set<String> = []
    /// An array's items, or a dictionary's values.
    var element: SchemaNode?

    var schema: JSONSchema {
        let base: JSONSchema
        switch kind {
        case .unknown: return .anyValue
        case .string(let format): base = .string(format: format)
        case .integer: base = .integer
        case .number: base = .number
        case .boolean: base = .boolean
        case .array: base = JSONSchema(type: ["array"], items: element?.schema ?? .anyValue)
        case .dictionary: base = JSONSchema(type: ["object"], additionalProperties: element?.schema ?? .anyValue)
        case .object:
            base = JSONSchema(
                type: ["object"], properties: properties.mapValues(\.schema),
                required: required.isEmpty ? nil : required.sorted())
        }
        return nullable ? base.orNull : base
    }

    func record<Value: Encodable>(_ value: Value) {
        if let optional = value as? any OptionalValue {
            // An optional written as itself (not left out when nil) may be `null`; when the example
            // has none, its type says what it is otherwise.
            nullable = true
            if optional.isNone {
                record(type: optional.wrappedType)
                return
            }
        }
        switch value {
        case is Date: kind = .string(format: "date-time")
        case is UUID: kind = .string(format: "uuid")
        case is URL: kind = .string(format: "uri")
        case is Data: kind = .string(format: nil)
        case let dictionary as any StringKeyedDictionary:
            kind = .dictionary
            if let first = dictionary.firstValue {
                let values = SchemaNode()
                values.record(first)
                element = values
            }
        default:
            try? value.encode(to: RecordingEncoder(node: self))
        }
    }

    /// What a type's values look like when no value is at hand (an optional field left nil).
    func record(type: Any.Type) {
        switch type {
        case is String.Type: kind = .string(format: nil)
        case is Bool.Type: kind = .boolean
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: kind = .integer
        case is Double.Type, is Float.Type: kind = .number
        case is Date.Type: kind = .string(format: "date-time")
        case is UUID.Type: kind = .string(format: "uuid")
        case let documented as any APIExample.Type: record(documented.example)
        default: kind = .unknown
        }
    }

    func child(_ key: String, required isRequired: Bool) -> SchemaNode {
        let node = properties[key] ?? SchemaNode()
        properties[key] = node
        if isRequired { required.insert(key) }
        return node
    }
}

/// Optionals seen through `Any`: whether nil, and of what.
protocol OptionalValue {
    var isNone: Bool { get }
    var wrappedType: Any.Type { get }
}

extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
    var wrappedType: Any.Type { Wrapped.self }
}

/// Dictionaries keyed by strings encode as JSON objects with any keys.
protocol StringKeyedDictionary {
    var firstValue: (any Encodable)? { get }
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Encodable {
    var firstValue: (any Encodable)? { values.first }
}

struct RecordingEncoder: Encoder {
    let node: SchemaNode
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.kind = .object
        return KeyedEncodingContainer(KeyedRecorder<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.kind = .array
        return UnkeyedRecorder(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueRecorder(node: node)
    }
}

struct SingleValueRecorder: SingleValueEncodingContainer {
    let node: SchemaNode
    var codingPath: [any CodingKey] = []

    mutating func encodeNil() throws { node.nullable = true }
    mutating func encode(_ value: Bool) throws { node.kind = .boolean }
    mutating func encode(_ value: String) throws { node.kind = .string(format: nil) }
    mutating func encode(_ value: Double) throws { node.kind = .number }
    mutating func encode(_ value: Float) throws { node.kind = .number }
    mutating func encode(_ value: Int) throws { node.kind = .integer }
    mutating func encode(_ value: Int8) throws { node.kind = .integer }
    mutating func encode(_ value: Int16) throws { node.kind = .integer }
    mutating func encode(_ value: Int32) throws { node.kind = .integer }
    mutating func encode(_ value: Int64) throws { node.kind = .integer }
    mutating func encode(_ value: UInt) throws { node.kind = .integer }
    mutating func encode(_ value: UInt8) throws { node.kind = .integer }
    mutating func encode(_ value: UInt16) throws { node.kind = .integer }
    mutating func encode(_ value: UInt32) throws { node.kind = .integer }
    mutating func encode(_ value: UInt64) throws { node.kind = .integer }
    mutating func encode<T: Encodable>(_ value: T) throws { node.record(value) }
}

/// An array's first element tells its items' schema; the others are encoded into scratch nodes.
struct UnkeyedRecorder: UnkeyedEncodingContainer {
    let node: SchemaNode
    var codingPath: [any CodingKey] = []
    var count = 0

    private mutating func next() -> SchemaNode {
        defer { count += 1 }
        if count == 0 {
            let items = node.element ?? SchemaNode()
            node.element = items
            return items
        }
        return SchemaNode()
    }

    mutating func encodeNil() throws { next().nullable = true }
    mutating func encode<T: Encodable>(_ value: T) throws { next().record(value) }
    mutating func encode(_ value: Bool) throws { next().kind = .boolean }
    mutating func encode(_ value: String) throws { next().kind = .string(format: nil) }
    mutating func encode(_ value: Double) throws { next().kind = .number }
    mutating func encode(_ value: Int) throws { next().kind = .integer }
    mutating func encode(_ value: Int64) throws { next().kind = .integer }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let item = next()
        item.kind = .object
        return KeyedEncodingContainer(KeyedRecorder<NestedKey>(node: item))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let item = next()
        item.kind = .array
        return UnkeyedRecorder(node: item)
    }

    mutating func superEncoder() -> any Encoder { RecordingEncoder(node: next()) }
}

struct KeyedRecorder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: SchemaNode
    var codingPath: [any CodingKey] = []

    mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue, required: true).nullable = true }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encode(value, key) }

    private func encode<T: Encodable>(_ value: T, _ key: Key) throws {
        node.child(key.stringValue, required: true).record(value)
    }

    // A field written only when present: optional, and known from its type when the example has none.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { optional(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { optional(value, key) }

    private func optional<T: Encodable>(_ value: T?, _ key: Key) {
        let field = node.child(key.stringValue, required: false)
        if let value { field.record(value) } else { field.record(type: T.self) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let field = node.child(key.stringValue, required: true)
        field.kind = .object
        return KeyedEncodingContainer(KeyedRecorder<NestedKey>(node: field))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let field = node.child(key.stringValue, required: true)
        field.kind = .array
        return UnkeyedRecorder(node: field)
    }

    mutating func superEncoder() -> any Encoder { RecordingEncoder(node: node) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        RecordingEncoder(node: node.child(key.stringValue, required: true))
    }
}
