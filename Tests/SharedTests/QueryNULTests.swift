import Testing
@testable import TollgateServiceKit

/// A query parameter holding NUL is refused by every service, as a body's strings are; the API
/// document says so for every endpoint that reads one.
@Suite("NUL in query parameters")
struct QueryNULTests {
    @Test("a NUL in a value names the parameter, in a name names the query; other control characters pass")
    func refused() throws {
        func refusal(_ query: String) -> [String: String]? {
            let request = ServiceRequest(query: QueryString.parse(query))
            do {
                try request.refuseNUL()
                return nil
            } catch {
                return error.errors
            }
        }
        #expect(refusal("action=%00") == ["action": "Strings may not contain NUL characters"])
        #expect(refusal("limit=10&action=a%00b") == ["action": "Strings may not contain NUL characters"])
        #expect(refusal("%00=1") == ["query": "Strings may not contain NUL characters"])
        for fine in ["", "action=%01%7F%C2%9B", "action=", "a=b&c=d", "x=%EF%BF%BF"] {
            #expect(refusal(fine) == nil, "\(fine)")
        }
    }

    @Test("an endpoint reading query parameters documents the 422; one reading none does not gain it")
    func documented() {
        let reads = EndpointShape(query: [.string("action", "a filter")], answers: [.message(200, "ok")])
        #expect(reads.answers.map(\.status) == [200, 422])
        let none = EndpointShape(answers: [.message(200, "ok")])
        #expect(none.answers.map(\.status) == [200])
        let already = EndpointShape(query: [.string("a", "a")], answers: [.validation, .message(200, "ok")])
        #expect(already.answers.map(\.status) == [422, 200])
    }
}
