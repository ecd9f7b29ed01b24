import Foundation
import TollgateContracts
import TollgateMessaging

/// A reply to a forwarded HTTP request: status, headers and body, sent back over NATS.
public struct ServiceResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: some Encodable) -> ServiceResponse {
        do {
            return ServiceResponse(
                status: status, headers: [("Content-Type", "application/json")], body: try JSONCoding.encoder.encode(value))
        } catch {
            return .error(500, "Internal server error")
        }
    }

    public static func error(_ status: Int, _ detail: String) -> ServiceResponse {
        json(status, ErrorBody(detail: detail))
    }

    public static func validation(_ errors: [String: String]) -> ServiceResponse {
        json(422, ValidationErrorBody(errors: errors))
    }

    /// The contract's `{"message": …}` answers.
    public static func message(_ status: Int, _ text: String) -> ServiceResponse {
        json(status, ["message": text])
    }

    public static func noContent() -> ServiceResponse {
        ServiceResponse(status: 204)
    }

    public func adding(header name: String, _ value: String) -> ServiceResponse {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }

    var natsHeaders: NatsHeaders {
        var headers = NatsHeaders()
        headers[EnvelopeHeader.status] = String(status)
        for (name, value) in self.headers { headers.add(name, value) }
        return headers
    }
}

/// The JSON coders every service uses: ISO-8601 UTC dates.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
