import Foundation
import Testing
import TollgateServiceKit

@Suite("JSON bodies become the contract's 422 shape")
struct JSONBodyTests {
    struct Body: Decodable, Equatable {
        let name: String
        let count: Int
        let nested: Nested?
        struct Nested: Decodable, Equatable { let flag: Bool }
    }

    func errors(_ text: String) -> [String: String] {
        do {
            _ = try JSONBody.decode(Body.self, from: Data(text.utf8))
            return [:]
        } catch {
            return error.errors
        }
    }

    @Test("good input decodes")
    func decodes() throws {
        let body = try JSONBody.decode(Body.self, from: Data(#"{"name":"a","count":2,"nested":{"flag":true}}"#.utf8))
        #expect(body == Body(name: "a", count: 2, nested: .init(flag: true)))
    }

    @Test("each kind of bad input names its field", arguments: [
        ("", "body"),
        ("{", "body"),
        ("[1,2]", "body"),
        (#"{"count":1}"#, "name"),
        (#"{"name":null,"count":1}"#, "name"),
        (#"{"name":"a","count":"many"}"#, "count"),
        (#"{"name":"a","count":1,"nested":{"flag":"yes"}}"#, "nested.flag"),
        (#"{"name":"a","count":1e400}"#, "body"),
    ])
    func badInput(text: String, field: String) {
        #expect(errors(text).keys.contains(field), "\(text)")
    }

    @Test("a NUL character is refused, escaped or raw; an escaped backslash before u0000 is not a NUL")
    func nul() {
        #expect(errors(#"{"name":"a\u0000b","count":1}"#)["body"] == "Strings may not contain NUL characters")
        #expect(errors("{\"name\":\"a\u{0}b\",\"count\":1}")["body"] != nil)
        #expect(errors(#"{"name":"a\\u0000b","count":1}"#).isEmpty)
        #expect(errors(#"{"name":"\u0041","count":1}"#).isEmpty)
    }
}
