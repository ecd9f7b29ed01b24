import Foundation
import Hummingbird
import Logging
import TollgateContracts
import TollgateMessaging

/// `POST /billing/stripe/webhook`: a verified event goes to the `STRIPE` stream under its event id
/// (`Nats-Msg-Id`, so Stripe's retries and duplicates are stored once) and is answered 200 only
/// after JetStream stored it; when JetStream cannot take it within `storeWait`, 503, and Stripe
/// retries.
struct StripeEventIntake: Sendable {
    static let bodyLimit = 1 << 20

    let signature: StripeSignature?
    let jetStream: JetStream
    let subjects: Subjects
    let storeWait: Duration
    let logger: Logger

    /// Only what routing needs; Billing reads the rest.
    private struct EventHead: Decodable {
        let id: String
        let type: String
    }

    func handle(_ request: Request) async throws -> Response {
        guard let signature else {
            logger.error("STRIPE_WEBHOOK_SECRET is not set; refusing Stripe events so that Stripe retries them")
            return Self.answer(.serviceUnavailable, detail: "Webhook secret not configured", retryAfter: true)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.bodyLimit)
        } catch {
            return Self.answer(.contentTooLarge, detail: "Body larger than \(Self.bodyLimit) bytes")
        }
        let payload = Data(buffer: body)
        do {
            try signature.verify(payload: payload, header: request.headers[.init("Stripe-Signature")!])
        } catch {
            logger.warning("Stripe event refused", metadata: ["reason": "\(error)"])
            return Self.answer(.badRequest, detail: "Invalid signature: \(error)")
        }
        guard let head = try? JSONDecoder().decode(EventHead.self, from: payload), !head.id.isEmpty,
            head.id.utf8.count <= 255
        else { return Self.answer(.badRequest, detail: "Invalid payload: not a Stripe event") }
        do {
            var headers = NatsHeaders()
            headers.add("Stripe-Event-Type", head.type)
            try await store(subjects.stripeEvent(type: head.type), payload: payload, messageID: head.id, headers: headers)
        } catch {
            logger.error("cannot store a Stripe event; Stripe will retry", metadata: ["event": "\(head.id)", "error": "\(error)"])
            return Self.answer(.serviceUnavailable, detail: "Event store unavailable", retryAfter: true)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"received":true}"#)))
    }

    /// Publishes, trying again while JetStream is briefly unavailable (the stream has no leader,
    /// the connection is moving to another server) and `storeWait` allows.
    private func store(_ subject: String, payload: Data, messageID: String, headers: NatsHeaders) async throws {
        let deadline = ContinuousClock.now + storeWait
        while true {
            let failure: NatsError
            do {
                _ = try await jetStream.publish(subject, payload: payload, messageID: messageID, headers: headers)
                return
            } catch {
                failure = error
            }
            guard failure.isTransient, ContinuousClock.now + .milliseconds(250) < deadline else { throw failure }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private static func answer(_ status: HTTPResponse.Status, detail: String, retryAfter: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if retryAfter { headers[.retryAfter] = "30" }
        let body = (try? JSONEncoder().encode(["detail": detail])) ?? Data(#"{"detail":"error"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
