import Foundation
import Testing
import TollgateMessaging
import TollgateServiceKit

@Suite("The HTTP-over-NATS envelope")
struct EnvelopeTests {
    @Test("a request's metadata reads back as written, whatever a client put in the path")
    func requestRoundTrip() throws {
        let written = RequestEnvelope(
            method: "PATCH", path: "/users/x/status",
            pathParameters: ["user_id": "a\u{85}b\nc\r\u{2028}d/é %", "other": ""], query: "q=a%20b&limit=5",
            clientIP: "203.0.113.7", requestID: "req-1", cookie: "refresh_token=abc; theme=dark", userAgent: "curl/8",
            accessToken: "eyJ.x.y", budget: .milliseconds(2500))
        let headers = written.natsHeaders
        for (name, value) in headers {
            #expect(!value.contains { $0.isNewline }, "\(name) carries a line break")
        }
        #expect(RequestEnvelope(natsHeaders: headers) == written)
        // What a request without the optional parts reads as.
        let bare = RequestEnvelope(natsHeaders: RequestEnvelope(method: "GET", path: "/me").natsHeaders)
        #expect(bare == RequestEnvelope(method: "GET", path: "/me"))
        #expect(bare.budget == nil && bare.accessToken == nil && bare.pathParameters.isEmpty)
    }

    @Test("a budget at its extremes reads as none or as itself, never a trap")
    func budgetExtremes() {
        for (text, expected) in [
            ("0", nil), ("-1", nil), ("abc", nil), ("1.5", nil), ("99999999999999999999", nil),
            ("9223372036854775807", Duration.milliseconds(Int64.max)), ("2500", Duration.milliseconds(2500)),
        ] as [(String, Duration?)] {
            var headers = RequestEnvelope(method: "GET", path: "/").natsHeaders
            headers.add("Tollgate-Budget-Ms", text)
            #expect(RequestEnvelope(natsHeaders: headers).budget == expected, "\(text)")
        }
        let far = ContinuousClock.now + Duration.milliseconds(Int64.max)
        #expect(far > ContinuousClock.now, "the longest budget still makes a deadline")
    }

    @Test("a reply carries its status and only the headers the gateway passes on; a reply without a status is none")
    func reply() {
        let written = ReplyEnvelope(
            status: 201, headers: [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Internal", "secret"), ("Location", "/x")])
        let read = ReplyEnvelope(natsHeaders: written.natsHeaders)
        #expect(read?.status == 201)
        #expect(read?.headers.map { "\($0.0): \($0.1)" } == ["Set-Cookie: a=1", "Set-Cookie: b=2", "Location: /x"])
        #expect(ReplyEnvelope(natsHeaders: NatsHeaders()) == nil)
        var bad = NatsHeaders()
        bad.add("Tollgate-Status", "999")
        #expect(ReplyEnvelope(natsHeaders: bad) == nil)
    }
}
