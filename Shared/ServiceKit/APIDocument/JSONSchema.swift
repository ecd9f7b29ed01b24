/// A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), as much of it as Tollgate's bodies
/// need. Made from examples by `SchemaEncoder`, never written by hand.
public final class JSONSchema: Codable, Sendable, Equatable {
    /// JSON types, e.g. `["string"]`, or `["string", "null"]` for a value that may be null.
    public let type: [String]?
    public let format: String?
    public let properties: [String: JSONSchema]?
    public let required: [String]?
    public let items: JSONSchema?
    public let additionalProperties: JSONSchema?

    public init(
        type: [String]? = nil, format: String? = nil, properties: [String: JSONSchema]? = nil, required: [String]? = nil,
        items: JSONSchema? = nil, additionalProperties: JSONSchema? = nil
    ) {
        self.type = type
        self.format = format
        self.properties = properties
        self.required = required
        self.items = items
        self.additionalProperties = additionalProperties
    }

    /// Any JSON value.
    public static let anyValue = JSONSchema()
    public static func string(format: String? = nil) -> JSONSchema { JSONSchema(type: ["string"], format: format) }
    public static let integer = JSONSchema(type: ["integer"])
    public static let number = JSONSchema(type: ["number"])
    public static let boolean = JSONSchema(type: ["boolean"])

    /// This schema, or null as well.
    public var orNull: JSONSchema {
        guard let type, !type.contains("null") else { return self }
        return JSONSchema(
            type: type + ["null"], format: format, properties: properties, required: required, items: items,
            additionalProperties: additionalProperties)
    }

    public static func == (lhs: JSONSchema, rhs: JSONSchema) -> Bool {
        lhs.type == rhs.type && lhs.format == rhs.format && lhs.properties == rhs.properties
            && lhs.required == rhs.required && lhs.items == rhs.items && lhs.additionalProperties == rhs.additionalProperties
    }
}
