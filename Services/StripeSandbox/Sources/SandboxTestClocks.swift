import Foundation

/// Stripe's test clocks (`/v1/test_helpers/test_clocks`). At Stripe a clock moves only the customers
/// made on it; Billing makes its customers itself, so in the sandbox there is one time for
/// everything, and advancing any clock by some amount moves that time by as much, then carries out
/// what fell due in between (renewals, failed payments and their retries, ends of canceled periods,
/// expired Checkout sessions), each at the moment it fell due.
enum SandboxTestClocks {
    typealias Answer = StripeSandbox.Answer

    /// How far one advance may go (Stripe limits it to two billing intervals; a bound keeps the
    /// arithmetic far from overflow and the due work finite).
    static let longestAdvance: Int64 = 5 * 366 * 86_400
    /// Latest frozen time accepted: the end of year 9999, as Stripe's timestamps.
    static let latestTime: Int64 = 253_402_300_799

    static func handle(
        pattern: String, id: String?, form: SandboxForm, state: inout SandboxState, events: inout [StripeSandbox.Event]
    ) -> Answer {
        switch pattern {
        case "POST /v1/test_helpers/test_clocks":
            if let unknown = form.pairs.first(where: { $0.key != "frozen_time" && $0.key != "name" }) {
                return StripeSandbox.error(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: \(unknown.key)", param: unknown.key)
            }
            let frozen: Int64
            switch frozenTime(form) {
            case .success(let time): frozen = time
            case .failure(let refused): return refused.answer
            }
            let name = form["name"]
            if let name, name.count > 300 {
                return StripeSandbox.error(400, "invalid_request_error", "string_length_too_long", "name is longer than 300 characters", param: "name")
            }
            let now = state.now
            let clock = SandboxTestClock(
                id: SandboxState.newID("clock_"), name: name, frozen_time: frozen, created: now, deletes_after: now + 30 * 86_400)
            state.testClocks[clock.id] = clock
            return SandboxAPIHandlers.ok(clock)

        case "GET /v1/test_helpers/test_clocks":
            return SandboxReads.list(
                state.testClocks.values.sorted { $0.id < $1.id }.map { ($0.id, $0.created, SandboxReads.json($0)) }, form: form, url: "/v1/test_helpers/test_clocks")

        case "GET /v1/test_helpers/test_clocks/{test_clock}":
            guard let clock = state.testClocks[id ?? ""] else { return missing(id) }
            return SandboxAPIHandlers.ok(clock)

        case "DELETE /v1/test_helpers/test_clocks/{test_clock}":
            guard state.testClocks.removeValue(forKey: id ?? "") != nil else { return missing(id) }
            let body: [String: Any] = ["id": id ?? "", "object": "test_helpers.test_clock", "deleted": true]
            return Answer(status: 200, body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())

        case "POST /v1/test_helpers/test_clocks/{test_clock}/advance":
            guard var clock = state.testClocks[id ?? ""] else { return missing(id) }
            if let unknown = form.pairs.first(where: { $0.key != "frozen_time" }) {
                return StripeSandbox.error(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: \(unknown.key)", param: unknown.key)
            }
            let target: Int64
            switch frozenTime(form) {
            case .success(let time): target = time
            case .failure(let refused): return refused.answer
            }
            guard target > clock.frozen_time else {
                return StripeSandbox.error(
                    400, "invalid_request_error", "test_clock_advance_invalid",
                    "The frozen time must be after the test clock's current frozen time (\(clock.frozen_time)).", param: "frozen_time")
            }
            let step = target - clock.frozen_time
            guard step <= longestAdvance else {
                return StripeSandbox.error(
                    400, "invalid_request_error", "test_clock_advance_invalid",
                    "A test clock can be advanced by at most five years at a time.", param: "frozen_time")
            }
            state.advanceClock(by: step)
            events += state.runDueWork(until: state.now)
            clock.frozen_time = target
            state.testClocks[clock.id] = clock
            events.append(state.event("test_helpers.test_clock.ready", clock, at: state.now))
            return SandboxAPIHandlers.ok(clock)

        default:
            return StripeSandbox.error(404, "invalid_request_error", nil, "Unrecognized request URL.")
        }
    }

    private static func missing(_ id: String?) -> Answer {
        StripeSandbox.error(404, "invalid_request_error", "resource_missing", "No such test_clock: '\(id ?? "")'", param: "test_clock")
    }

    private static func frozenTime(_ form: SandboxForm) -> Result<Int64, AnswerBox> {
        guard let text = form["frozen_time"] else {
            return .failure(AnswerBox(StripeSandbox.error(400, "invalid_request_error", "parameter_missing", "Missing required param: frozen_time.", param: "frozen_time")))
        }
        guard let time = Int64(text), (1...latestTime).contains(time) else {
            return .failure(AnswerBox(StripeSandbox.error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid timestamp: \(text)", param: "frozen_time")))
        }
        return .success(time)
    }

    /// An answer as a `Result`'s failure.
    struct AnswerBox: Error {
        let answer: Answer
        init(_ answer: Answer) { self.answer = answer }
    }
}
