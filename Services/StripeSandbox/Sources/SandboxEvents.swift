import Crypto
import TollgateSecurity
import Foundation

extension StripeSandbox {
    /// An event as Stripe would send it: the object's snapshot at the moment it happened.
    public struct Event: Sendable, Codable {
        public let id: String
        public let type: String
        /// Sandbox time, in Unix seconds.
        public let created: Int64
        /// The whole event, as delivered.
        public let body: Data
    }

    /// Makes an event around a snapshot of `object` (encoded now, so later changes do not show).
    static func makeEvent(type: String, object: some Encodable, requestIdempotencyKey: String?, created: Int64) -> Event {
        let id = SandboxState.newID("evt_")
        let objectJSON = (try? JSONEncoder().encode(object)).flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? [:]
        let envelope: [String: Any] = [
            "id": id, "object": "event", "api_version": StripeSandbox.apiVersion, "created": created,
            "livemode": false, "pending_webhooks": 1, "type": type,
            "data": ["object": objectJSON],
            "request": [
                "id": requestIdempotencyKey == nil ? NSNull() : SandboxState.newID("req_") as Any,
                "idempotency_key": requestIdempotencyKey as Any? ?? NSNull(),
            ],
        ]
        let body = (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data()
        return Event(id: id, type: type, created: created, body: body)
    }

    /// `Stripe-Signature` exactly as Stripe builds it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
    /// "t.body" keyed with the endpoint secret>` — one `v1` per active secret — plus a `v0` decoy.
    public static func signature(for body: Data, secrets: [String], timestamp: Int64) -> String {
        var parts = ["t=\(timestamp)"]
        for secret in secrets {
            var signed = Data("\(timestamp).".utf8)
            signed.append(body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
            parts.append("v1=" + Hex.encode(mac))
        }
        parts.append("v0=" + String(repeating: "0", count: 64))
        return parts.joined(separator: ",")
    }
}
