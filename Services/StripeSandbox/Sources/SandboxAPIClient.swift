import Foundation

/// `tollgate-stripe-sandbox advance` through the sandbox's own Stripe API, as any client would:
/// its test clock (made on first use), advanced by whole days.
public struct SandboxAPIClient: Sendable {
    let host: String
    let port: Int
    let apiKey: String

    public static let clockName = "tollgate-stripe-sandbox advance"

    public init(host: String, port: Int, apiKey: String) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
    }

    public struct Advanced: Sendable {
        /// The sandbox's time after the move (ISO 8601).
        public let now: String
        /// What happened while the clock moved, oldest first.
        public let events: [(created: String, type: String, id: String)]
    }

    public func advance(days: Int) async throws -> Advanced {
        let clocks = try await call(.GET, "/v1/test_helpers/test_clocks?limit=100")
        let existing = (clocks["data"] as? [[String: Any]])?.first { $0["name"] as? String == Self.clockName }
        var clock = existing ?? [:]
        if existing == nil {
            clock = try await call(
                .POST, "/v1/test_helpers/test_clocks",
                form: "frozen_time=\(Int64(Date().timeIntervalSince1970))&name=\(Self.clockName.replacingOccurrences(of: " ", with: "+"))")
        }
        guard let id = clock["id"] as? String, let frozen = (clock["frozen_time"] as? NSNumber)?.int64Value else {
            throw ClientError(description: "the sandbox answered with no test clock")
        }
        _ = try await call(.POST, "/v1/test_helpers/test_clocks/\(id)/advance", form: "frozen_time=\(frozen + Int64(days) * 86_400)")
        // The clock's `ready` event carries the sandbox's time; what fell due since the old time follows it.
        let ready = try await call(.GET, "/v1/events?type=test_helpers.test_clock.ready&limit=1")
        guard let now = ((ready["data"] as? [[String: Any]])?.first?["created"] as? NSNumber)?.int64Value else {
            throw ClientError(description: "the sandbox did not report its time")
        }
        let start = now - Int64(days) * 86_400
        let recent = try await call(.GET, "/v1/events?limit=100")
        let events = ((recent["data"] as? [[String: Any]]) ?? []).compactMap { event -> (Int64, String, String)? in
            guard let created = (event["created"] as? NSNumber)?.int64Value, created > start,
                let type = event["type"] as? String, !type.hasPrefix("test_helpers."), let id = event["id"] as? String
            else { return nil }
            return (created, type, id)
        }
        return Advanced(now: Self.iso(now), events: events.reversed().map { (Self.iso($0.0), $0.1, $0.2) })
    }

    private func call(_ method: HTTPMethodName, _ path: String, form: String? = nil) async throws -> [String: Any] {
        var headers = [("Authorization", "Bearer \(apiKey)")]
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        guard let reply = await PlainHTTPClient.send(
            method == .GET ? .GET : .POST, host: host, port: port, path: path, headers: headers, body: form.map { Data($0.utf8) })
        else { throw ClientError(description: "no answer from the sandbox at \(host):\(port); is it running (`make run`)?") }
        let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] ?? [:]
        guard reply.status == 200 else {
            let message = (object["error"] as? [String: Any])?["message"] as? String ?? "HTTP \(reply.status)"
            throw ClientError(description: "the sandbox refused \(path): \(message)")
        }
        return object
    }

    enum HTTPMethodName { case GET, POST }

    private static func iso(_ time: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}
