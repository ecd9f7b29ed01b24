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
        json(status, MessageBody(message: text))
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
        ReplyEnvelope(status: status, headers: headers).natsHeaders
    }
}

/// The JSON coders every service uses: ISO-8601 UTC dates with milliseconds (`2026-11-30T04:05:06.789Z`);
/// times without fractions are read too.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISOTime.string(date))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISOTime.date(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO-8601 time, got \(text)")
            }
            return date
        }
        return decoder
    }()
}

/// ISO-8601 times in UTC, to the millisecond.
public enum ISOTime {
    private static let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    public static func string(_ date: Date) -> String { withFractions.format(date) }

    public static func date(_ text: String) -> Date? {
        (try? withFractions.parse(text)) ?? (try? wholeSeconds.parse(text))
    }

    /// `date` cut to what `string` keeps, so a time sent out and read back compares equal.
    public static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
