import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Synchronization
import Testing
import TollgateTestSupport

@testable import StripeSandbox

/// The sandbox's own rules at their edges: test cards, calendar periods, the retry schedule, test
/// clocks and lists at extreme inputs, expansion, the state file, and deliveries retried until
/// accepted.
@Suite("The Stripe sandbox at its edges")
struct StripeSandboxEdgeTests {
    struct Reply {
        let status: Int
        let json: [String: Any]
        let headers: [String: String]
    }

    static func call(
        _ sandbox: StripeSandbox, _ method: PlainHTTPClient.HTTPMethodForTests, _ path: String, form: String? = nil,
        key: String = StripeSandbox.secretKey, idempotencyKey: String? = nil
    ) async throws -> Reply {
        var headers = [("Authorization", "Bearer \(key)")]
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let reply = try #require(
            await PlainHTTPClient.send(method.nio, host: "127.0.0.1", port: sandbox.port, path: path, headers: headers, body: form.map { Data($0.utf8) }))
        let json = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] ?? [:]
        return Reply(status: reply.status, json: json, headers: [:])
    }

    static func errorCode(_ reply: Reply) -> String? {
        (reply.json["error"] as? [String: Any])?["code"] as? String
    }

    static func withSandbox(_ options: StripeSandbox.Options? = nil, _ body: (StripeSandbox) async throws -> Void) async throws {
        let sandbox = try await StripeSandbox.start(options ?? StripeSandbox.Options(webhookSecrets: ["whsec_edge"]))
        do {
            try await body(sandbox)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    // MARK: Cards and periods

    @Test("test cards: 4242 pays, 0341 saves but fails later, 0002 and friends are declined, anything else is refused as Stripe refuses it")
    func testCards() throws {
        #expect(try TestCards.read("4242 4242 4242 4242").get() == TestCards.Card(brand: "visa", last4: "4242", funding: "credit", chargesFail: false))
        #expect(try TestCards.read("4000-0000-0000-0341").get().chargesFail)
        #expect(try TestCards.read("5555555555554444").get().brand == "mastercard")
        let refusals: [(String, String, String?)] = [
            ("4000000000000002", "card_declined", "generic_decline"),
            ("4000000000009995", "card_declined", "insufficient_funds"),
            ("4000000000000069", "card_declined", "expired_card"),
            ("4111111111111111", "card_declined", "test_mode_live_card"),
            ("4242424242424241", "incorrect_number", nil),
            ("", "invalid_number", nil),
            ("0", "invalid_number", nil),
            ("-1", "invalid_number", nil),
            ("9223372036854775807", "incorrect_number", nil),
            ("42424242424242424242", "invalid_number", nil),
            ("4242abcd42424242", "invalid_number", nil),
            ("４２４２４２４２４２４２４２４２", "invalid_number", nil),
        ]
        for (number, code, decline) in refusals {
            guard case .failure(let refusal) = TestCards.read(number) else {
                Issue.record("\(number) was accepted")
                continue
            }
            #expect(refusal.code == code, "\(number)")
            #expect(refusal.declineCode == decline, "\(number)")
        }
    }

    @Test("periods follow the calendar from the anchor: 31 January → 28 February → 31 March; weeks, years and counts too")
    func calendarPeriods() throws {
        let state = SandboxState()
        func price(_ interval: String, _ count: Int = 1) -> SandboxPrice {
            SandboxPrice(
                id: "price_x", active: true, currency: "usd", unit_amount: 100, unit_amount_decimal: "100", product: "prod_x",
                recurring: .init(interval: interval, interval_count: count), type: "recurring", metadata: [:], created: 0)
        }
        let january31: Int64 = 1_801_396_800  // 2027-01-31T12:00:00Z
        let february28: Int64 = 1_803_816_000  // 2027-02-28T12:00:00Z
        let march31: Int64 = 1_806_494_400  // 2027-03-31T12:00:00Z
        #expect(state.nextPeriodEnd(after: january31, anchor: january31, price: price("month")) == february28)
        #expect(state.nextPeriodEnd(after: february28, anchor: january31, price: price("month")) == march31)
        #expect(state.nextPeriodEnd(after: january31, anchor: january31, price: price("week", 2)) == january31 + 14 * 86_400)
        #expect(state.nextPeriodEnd(after: january31, anchor: january31, price: price("day")) == january31 + 86_400)
        #expect(state.nextPeriodEnd(after: january31, anchor: january31, price: price("year")) == january31 + 365 * 86_400)
        #expect(state.nextPeriodEnd(after: january31, anchor: january31, price: price("month", 3)) == 1_809_086_400)  // 30 April
        // Ten years of months from the anchor: the estimate lands near, the steps are few.
        let later = state.nextPeriodEnd(after: january31 + 3650 * 86_400, anchor: january31, price: price("month"))
        #expect(later > january31 + 3650 * 86_400 && later <= january31 + 3681 * 86_400)
        var fixed = SandboxState()
        fixed.periodSeconds = 60
        #expect(fixed.nextPeriodEnd(after: 1000, anchor: 0, price: price("month")) == 1060)
    }

    @Test("a card that fails is retried 3, 5 and 7 days after the renewal, then the subscription is canceled; each at its moment")
    func retrySchedule() throws {
        var state = SandboxState()
        let start = state.now
        state.products["prod_p"] = SandboxProduct(id: "prod_p", active: true, name: "Pro", default_price: "price_p", metadata: [:], created: start, updated: start)
        state.prices["price_p"] = SandboxPrice(
            id: "price_p", active: true, currency: "usd", unit_amount: 1900, unit_amount_decimal: "1900", product: "prod_p",
            recurring: .init(interval: "month", interval_count: 1), type: "recurring", metadata: [:], created: start)
        state.sessions["cs_1"] = SandboxCheckoutSession(
            id: "cs_1", url: nil, status: "open", payment_status: "unpaid", mode: "subscription", customer: nil, subscription: nil,
            invoice: nil, client_reference_id: nil, metadata: [:], success_url: nil, cancel_url: nil, created: start,
            expires_at: start + 86_400 * 400, linePrice: "price_p", subscriptionMetadata: [:])
        let card = try TestCards.read("4000000000000341").get()
        let (subscriptionID, opened) = try state.completeCheckout(sessionID: "cs_1", card: card, at: start)
        #expect(opened.map(\.type).contains("invoice.paid"), "the first payment goes through")
        let periodEnd = try #require(state.subscriptions[subscriptionID]?.items.data.first?.current_period_end)

        let renewal = state.runDueWork(until: periodEnd)
        #expect(renewal.map(\.type) == ["invoice.payment_failed", "customer.subscription.updated"])
        #expect(state.subscriptions[subscriptionID]?.status == "past_due")
        let invoice = try #require(state.invoices.values.first { $0.status == "open" })
        #expect(invoice.next_payment_attempt == periodEnd + 3 * 86_400)

        let retries = state.runDueWork(until: periodEnd + 8 * 86_400)
        #expect(retries.map(\.type) == ["invoice.payment_failed", "invoice.payment_failed", "invoice.payment_failed", "customer.subscription.deleted"])
        #expect(retries.map(\.created) == [periodEnd + 3 * 86_400, periodEnd + 5 * 86_400, periodEnd + 7 * 86_400, periodEnd + 7 * 86_400])
        #expect(state.invoices[invoice.id]?.attempt_count == 4)
        #expect(state.invoices[invoice.id]?.next_payment_attempt == nil)
        #expect(state.subscriptions[subscriptionID]?.status == "canceled")
        #expect(state.runDueWork(until: periodEnd + 400 * 86_400).isEmpty, "a canceled subscription renews no more; the session was paid")
    }

    // MARK: The API at its edges

    @Test("test clocks refuse times at their extremes with Stripe's 400s; an advance fires renewals at their moment")
    func testClocks() async throws {
        try await Self.withSandbox { sandbox in
            for bad in ["", "abc", "-1", "0", "1.5", "253402300800", "9223372036854775807", "9223372036854775808", "%00"] {
                let reply = try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks", form: "frozen_time=\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(Self.errorCode(reply) == "parameter_invalid_integer", "\(bad)")
            }
            #expect(Self.errorCode(try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks", form: "name=x")) == "parameter_missing")
            #expect(Self.errorCode(try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks", form: "frozen_time=1&colour=red")) == "parameter_unknown")
            let clock = try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks", form: "frozen_time=1800000000&name=edge")
            #expect(clock.status == 200)
            #expect(clock.json["object"] as? String == "test_helpers.test_clock")
            #expect(clock.json["status"] as? String == "ready")
            let id = try #require(clock.json["id"] as? String)
            for bad in ["1800000000", "1799999999", "-1", "9223372036854775807", "\(1_800_000_000 + 5 * 366 * 86_400 + 1)"] {
                let reply = try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks/\(id)/advance", form: "frozen_time=\(bad)")
                #expect(reply.status == 400, "\(bad)")
            }
            #expect(try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks/clock_nope/advance", form: "frozen_time=1900000000").status == 404)

            let events = sandbox.seedPaidSubscription(userID: "u1", planID: "p1", amount: 1900)
            #expect(events.count == 2)
            let subscriptionID = try #require(sandbox.subscriptionIDs().first)
            let periodEnd = try #require(sandbox.subscriptionPeriodEnd(subscriptionID))
            let before = sandbox.clock.now
            let advanced = try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks/\(id)/advance", form: "frozen_time=\(1_800_000_000 + 31 * 86_400)")
            #expect(advanced.status == 200)
            #expect(advanced.json["frozen_time"] as? Int == 1_800_000_000 + 31 * 86_400)
            #expect(sandbox.clock.now.timeIntervalSince(before) >= 31 * 86_400)
            let paid = try #require(sandbox.events(type: "invoice.paid").last)
            #expect(paid.created == periodEnd, "the renewal happened when the period ended, not when the clock stopped")
            #expect(sandbox.invoices(subscription: subscriptionID).map(\.reason) == ["subscription_create", "subscription_cycle"])
            #expect(try await Self.call(sandbox, .delete, "/v1/test_helpers/test_clocks/\(id)").json["deleted"] as? Bool == true)
            #expect(try await Self.call(sandbox, .get, "/v1/test_helpers/test_clocks/\(id)").status == 404)
        }
    }

    @Test("lists page newest first with limit, starting_after and ending_before; a limit outside 1…100 is a 400")
    func lists() async throws {
        try await Self.withSandbox { sandbox in
            var ids: [String] = []
            for n in 0..<5 {
                let customer = try await Self.call(sandbox, .post, "/v1/customers", form: "email=c\(n)%40x.test")
                ids.append(try #require(customer.json["id"] as? String))
                sandbox.clock.advance(by: .seconds(1))
            }
            let first = try await Self.call(sandbox, .get, "/v1/customers?limit=2")
            let firstIDs = (first.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(firstIDs == [ids[4], ids[3]])
            #expect(first.json["has_more"] as? Bool == true)
            let next = try await Self.call(sandbox, .get, "/v1/customers?limit=10&starting_after=\(ids[3])")
            #expect((next.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[2], ids[1], ids[0]])
            #expect(next.json["has_more"] as? Bool == false)
            let back = try await Self.call(sandbox, .get, "/v1/customers?limit=2&ending_before=\(ids[1])")
            #expect((back.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[3], ids[2]])
            let events = try await Self.call(sandbox, .get, "/v1/events?type=customer.created&limit=100")
            #expect((events.json["data"] as? [[String: Any]])?.count == 5)
            for bad in ["0", "-1", "101", "abc", "9223372036854775807", "9223372036854775808"] {
                let reply = try await Self.call(sandbox, .get, "/v1/events?limit=\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(Self.errorCode(reply) == "parameter_invalid_integer", "\(bad)")
            }
            #expect(try await Self.call(sandbox, .get, "/v1/customers?starting_after=cus_nope").status == 404)

            // Made within one second: listed the later first, as they happened.
            var sameSecond: [String] = []
            for n in 0..<3 {
                let customer = try await Self.call(sandbox, .post, "/v1/customers", form: "email=s\(n)%40x.test")
                sameSecond.append(try #require(customer.json["id"] as? String))
            }
            let latest = try await Self.call(sandbox, .get, "/v1/events?type=customer.created&limit=3")
            let objects = (latest.json["data"] as? [[String: Any]])?.compactMap { (($0["data"] as? [String: Any])?["object"] as? [String: Any])?["id"] as? String }
            #expect(objects == sameSecond.reversed())
        }
    }

    @Test("prices and refunds refuse numbers at their extremes; expansion reaches nested ids and refuses what is not one")
    func numbersAndExpansion() async throws {
        try await Self.withSandbox { sandbox in
            let product = try #require(try await Self.call(sandbox, .post, "/v1/products", form: "name=Pro").json["id"] as? String)
            for bad in ["-1", "100000000", "9223372036854775807", "9223372036854775808", "abc", "1.5"] {
                let reply = try await Self.call(
                    sandbox, .post, "/v1/prices", form: "currency=usd&product=\(product)&unit_amount=\(bad)&recurring[interval]=month")
                #expect(reply.status == 400, "\(bad)")
            }
            for (interval, count) in [("fortnight", "1"), ("month", "0"), ("month", "13"), ("day", "366"), ("month", "-1"), ("month", "x")] {
                let reply = try await Self.call(
                    sandbox, .post, "/v1/prices",
                    form: "currency=usd&product=\(product)&unit_amount=100&recurring[interval]=\(interval)&recurring[interval_count]=\(count)")
                #expect(reply.status == 400, "\(interval) \(count)")
            }
            _ = sandbox.seedPaidSubscription(userID: "u2", planID: "p2", amount: 1900)
            let subscriptionID = try #require(sandbox.subscriptionIDs().first)
            let invoice = try #require(
                try await Self.call(sandbox, .get, "/v1/subscriptions/\(subscriptionID)").json["latest_invoice"] as? String)
            let intent = "pi_" + invoice.dropFirst("in_".count)
            for bad in ["9223372036854775807", "0", "-1", "1901", "abc"] {
                let reply = try await Self.call(sandbox, .post, "/v1/refunds", form: "payment_intent=\(intent)&amount=\(bad)")
                #expect(reply.status == 400, "\(bad)")
            }
            #expect(try await Self.call(sandbox, .post, "/v1/refunds", form: "payment_intent=\(intent)&amount=1900").status == 200)

            let expanded = try await Self.call(
                sandbox, .get, "/v1/subscriptions/\(subscriptionID)?expand[]=customer&expand[]=latest_invoice&expand[]=items.data.price")
            #expect((expanded.json["customer"] as? [String: Any])?["object"] as? String == "customer")
            #expect((expanded.json["latest_invoice"] as? [String: Any])?["id"] as? String == invoice)
            let items = (expanded.json["items"] as? [String: Any])?["data"] as? [[String: Any]]
            #expect((items?.first?["price"] as? [String: Any])?["object"] as? String == "price")
            // The seeded price's product is not one the sandbox holds: not an id it can expand.
            for bad in ["nothing", "customer.invoices", "status", "a.b.c.d.e", "items.data.price.product"] {
                let reply = try await Self.call(sandbox, .get, "/v1/subscriptions/\(subscriptionID)?expand[]=\(bad)")
                #expect(reply.status == 400, "\(bad)")
            }
        }
    }

    @Test("the key is taken as Bearer or as curl -u's Basic user; any other is a 401 in Stripe's shape")
    func keys() async throws {
        try await Self.withSandbox { sandbox in
            let basic = "Basic " + Data("\(StripeSandbox.secretKey):".utf8).base64EncodedString()
            let reply = try #require(
                await PlainHTTPClient.send(.GET, host: "127.0.0.1", port: sandbox.port, path: "/v1/customers", headers: [("Authorization", basic)], body: nil))
            #expect(reply.status == 200)
            let wrong = try await Self.call(sandbox, .get, "/v1/customers", key: "sk_test_wrong")
            #expect(wrong.status == 401)
            #expect((wrong.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        }
    }

    @Test("the hosted pages escape what they show and say so when a session is unknown")
    func pagesEscape() async throws {
        try await Self.withSandbox { sandbox in
            let product = try #require(try await Self.call(sandbox, .post, "/v1/products", form: "name=%3Cb%3E%22Pro%22%3C%2Fb%3E").json["id"] as? String)
            let price = try #require(
                try await Self.call(sandbox, .post, "/v1/prices", form: "currency=usd&product=\(product)&unit_amount=1900&recurring[interval]=month")
                    .json["id"] as? String)
            let session = try await Self.call(
                sandbox, .post, "/v1/checkout/sessions",
                form: "mode=subscription&line_items[0][price]=\(price)&line_items[0][quantity]=1&cancel_url=http%3A%2F%2Fx.test%2F%22%3E%3Cscript%3E")
            let url = try #require(session.json["url"] as? String)
            let page = try await SandboxBrowser.open(url)
            #expect(page.text.contains("&lt;b&gt;&quot;Pro&quot;&lt;/b&gt;"))
            #expect(!page.text.contains("<b>\"Pro\""))
            #expect(!page.text.contains("<script>"))
            #expect(try await SandboxBrowser.open("http://127.0.0.1:\(sandbox.port)/checkout/cs_test_nope").status == 404)
            #expect(try await SandboxBrowser.open("http://127.0.0.1:\(sandbox.port)/portal/bps_nope").status == 404)
            let empty = try await SandboxBrowser.submit(on: url, button: "Subscribe", ["card_number": ""])
            #expect(empty.status == 400)
            #expect(empty.text.contains("Your card number is invalid."))
        }
    }

    // MARK: State and deliveries

    @Test("the state file keeps objects, idempotent answers and the clock across a restart; one it cannot read stops the start")
    func stateFile() async throws {
        let folder = try TemporaryDirectory("stripe-sandbox-state")
        defer { folder.remove() }
        var options = StripeSandbox.Options(webhookSecrets: ["whsec_edge"])
        options.store = SandboxStore(dataDirectory: folder.path)
        var customerID = ""
        try await Self.withSandbox(options) { sandbox in
            let created = try await Self.call(sandbox, .post, "/v1/customers", form: "email=kept%40x.test", idempotencyKey: "keep-1")
            customerID = try #require(created.json["id"] as? String)
            let clock = try #require(try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks", form: "frozen_time=1800000000").json["id"] as? String)
            #expect(try await Self.call(sandbox, .post, "/v1/test_helpers/test_clocks/\(clock)/advance", form: "frozen_time=\(1_800_000_000 + 10 * 86_400)").status == 200)
        }
        try await Self.withSandbox(options) { sandbox in
            let read = try await Self.call(sandbox, .get, "/v1/customers/\(customerID)")
            #expect(read.json["email"] as? String == "kept@x.test")
            let replay = try await Self.call(sandbox, .post, "/v1/customers", form: "email=kept%40x.test", idempotencyKey: "keep-1")
            #expect(replay.json["id"] as? String == customerID, "the same key replays the first answer after a restart")
            #expect(sandbox.clock.now.timeIntervalSinceNow > 10 * 86_400 - 60, "the clock stays where the test clock left it")
            #expect(sandbox.events(type: "customer.created").count == 1)
        }
        let stateFile = folder.path + "/stripe-sandbox/state.json"
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: stateFile))
        await #expect(throws: SandboxStore.StoreError.self) { _ = try await StripeSandbox.start(options) }
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) == "{ not json", "a file it cannot read is left as it was")
        let credentials = try options.store!.credentials()
        #expect(credentials.apiKey.hasPrefix("sk_test_") && credentials.webhookSecret.hasPrefix("whsec_"))
        #expect(try options.store!.credentials().apiKey == credentials.apiKey, "made once, then read")
        for file in ["credentials.json", "state.json"] {
            let mode = try FileManager.default.attributesOfItem(atPath: folder.path + "/stripe-sandbox/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
    }

    @Test("an event refused by the webhook endpoint is retried with back-off until accepted, signed each time")
    func deliveriesRetried() async throws {
        let received = ReceivedPosts()
        let receiver = await LocalHTTPServer.start(label: "webhook-receiver")
        receiver.answer { request in
            let signature = request.headers[HTTPField.Name("Stripe-Signature")!] ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            let arrived = received.add(signature: signature, body: Data(body.readableBytesView))
            return Response(status: arrived <= 3 ? .serviceUnavailable : .ok)
        }
        defer { Task { await receiver.stop() } }
        try await Self.withSandbox { sandbox in
            sandbox.deliverEvents(toPort: receiver.port, path: "/hook")
            let created = try await Self.call(sandbox, .post, "/v1/customers", form: "email=retry%40x.test")
            #expect(created.status == 200)
            _ = try await eventually("accepted on the fourth attempt", timeout: .seconds(10)) {
                received.count >= 4 && sandbox.pendingDeliveries().isEmpty ? true : nil
            }
            let posts = received.all
            #expect(posts.count == 4, "no attempt after the one accepted")
            #expect(Set(posts.map(\.body)).count == 1, "the same event each time")
            #expect(posts.allSatisfy { $0.signature.hasPrefix("t=") && $0.signature.contains(",v1=") })
        }
    }
}

extension PlainHTTPClient {
    enum HTTPMethodForTests {
        case get, post, delete

        var nio: NIOHTTP1.HTTPMethod {
            switch self {
            case .get: .GET
            case .post: .POST
            case .delete: .DELETE
            }
        }
    }
}

/// What the test's webhook endpoint received, in order.
final class ReceivedPosts: Sendable {
    struct Post: Sendable {
        let signature: String
        let body: Data
    }
    private let posts = Mutex<[Post]>([])

    /// Returns how many have arrived, this one included.
    func add(signature: String, body: Data) -> Int {
        posts.withLock { posts in
            posts.append(Post(signature: signature, body: body))
            return posts.count
        }
    }

    var count: Int { posts.withLock { $0.count } }
    var all: [Post] { posts.withLock { $0 } }
}
