import Foundation
import TollgateContracts
import TollgateMessaging

/// One service asking another on an internal subject (request/reply over NATS, answered by a
/// `ServiceRouter`): the decoded answer on 200, nil on 404; anything else — no answer, a timeout,
/// another status — is a 503 for the caller's own client, naming the service that failed.
public struct InternalRequest: Sendable {
    let connection: NatsConnection
    let service: String
    let timeout: Duration

    public init(connection: NatsConnection, service: String, timeout: Duration = .seconds(5)) {
        self.connection = connection
        self.service = service
        self.timeout = timeout
    }

    public func ask<Answer: Decodable>(_ subject: String, _ body: some Encodable, as type: Answer.Type) async throws -> Answer? {
        try await ask(subject, payload: try JSONCoding.encoder.encode(body), as: type)
    }

    public func ask<Answer: Decodable>(_ subject: String, payload: Data = Data(), as type: Answer.Type) async throws -> Answer? {
        let unavailable = HTTPFailure(503, "The \(service) service is unavailable; try again")
        let reply: NatsMessage
        do {
            reply = try await connection.request(subject, payload: payload, timeout: timeout)
        } catch {
            throw unavailable
        }
        switch ReplyEnvelope(natsHeaders: reply.headers)?.status {
        case 200:
            do { return try JSONCoding.decoder.decode(type, from: reply.payload) } catch { throw unavailable }
        case 404: return nil
        default: throw unavailable
        }
    }
}
