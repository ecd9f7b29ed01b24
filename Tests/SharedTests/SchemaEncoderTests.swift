import Foundation
import Testing
import TollgateServiceKit

@Suite("Schemas derived from examples")
struct SchemaEncoderTests {
    struct Inner: Encodable, APIExample {
        let n: Int
        static let example = Inner(n: 1)
    }

    struct Body: Encodable {
        let name: String
        let count: Int
        let ratio: Double
        let flag: Bool
        let when: Date
        let id: UUID
        let tags: [String]
        let labels: [String: Int]
        let maybe: String?
        let maybeInner: Inner?
        let explicitNull: Int?
        let inner: Inner

        enum CodingKeys: String, CodingKey {
            case name, count, ratio, flag, when, id, tags, labels, maybe, inner
            case maybeInner = "maybe_inner"
            case explicitNull = "explicit_null"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(count, forKey: .count)
            try container.encode(ratio, forKey: .ratio)
            try container.encode(flag, forKey: .flag)
            try container.encode(when, forKey: .when)
            try container.encode(id, forKey: .id)
            try container.encode(tags, forKey: .tags)
            try container.encode(labels, forKey: .labels)
            try container.encodeIfPresent(maybe, forKey: .maybe)
            try container.encodeIfPresent(maybeInner, forKey: .maybeInner)
            try container.encode(explicitNull, forKey: .explicitNull)
            try container.encode(inner, forKey: .inner)
        }
    }

    @Test("keys, JSON types, formats, optional and nullable fields follow the type's own encoding")
    func shapes() throws {
        let schema = SchemaEncoder.schema(
            of: Body(
                name: "a", count: 1, ratio: 0.5, flag: true, when: Date(), id: UUID(), tags: ["x"], labels: ["k": 1],
                maybe: nil, maybeInner: nil, explicitNull: nil, inner: .example))
        let properties = try #require(schema.properties)
        #expect(schema.type == ["object"])
        #expect(schema.required == ["count", "explicit_null", "flag", "id", "inner", "labels", "name", "ratio", "tags", "when"])
        #expect(properties["name"]?.type == ["string"])
        #expect(properties["count"]?.type == ["integer"])
        #expect(properties["ratio"]?.type == ["number"])
        #expect(properties["flag"]?.type == ["boolean"])
        #expect(properties["when"]?.format == "date-time")
        #expect(properties["id"]?.format == "uuid")
        #expect(properties["tags"]?.items?.type == ["string"])
        #expect(properties["labels"]?.additionalProperties?.type == ["integer"])
        #expect(properties["maybe"]?.type == ["string"], "left out when nil, known from its type")
        #expect(properties["maybe_inner"]?.properties?["n"]?.type == ["integer"], "known from its example")
        #expect(properties["explicit_null"]?.type == ["integer", "null"])
        #expect(properties["inner"]?.required == ["n"])
    }

    @Test("arrays and pages of examples")
    func collections() {
        let list = SchemaEncoder.schema(of: [Inner].example)
        #expect(list.type == ["array"])
        #expect(list.items?.properties?["n"]?.type == ["integer"])
        let empty = SchemaEncoder.schema(of: [Inner]())
        #expect(empty.items == JSONSchema.anyValue)
    }
}
