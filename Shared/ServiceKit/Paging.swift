import Foundation

/// `limit` and `offset` as every admin list takes them: `limit` 1…100 (default 10), `offset`
/// 0…`maximumOffset` (so no page arithmetic can overflow), and `as_of`, the time the first page was read: rows made at or after it are left out, so paging
/// through a list that grows while it is read shows every row exactly once.
public struct PageRequest: Sendable, Equatable {
    public let limit: Int
    public let offset: Int
    public let asOf: Date

    public init(limit: Int, offset: Int, asOf: Date) {
        self.limit = limit
        self.offset = offset
        self.asOf = asOf
    }

    public static let maximumOffset = 1_000_000_000
    /// `as_of` outside 1970…9999 is a typing error, not a point in a list's history.
    static let asOfRange: Range<TimeInterval> = 0..<253_402_300_800

    public static func from(_ query: [String: String], now: Date = Date()) throws(ValidationFailure) -> PageRequest {
        var errors: [String: String] = [:]
        var limit = 10
        if let text = query["limit"] {
            if let value = Int(text), (1...100).contains(value) { limit = value } else { errors["limit"] = "limit must be between 1 and 100" }
        }
        var offset = 0
        if let text = query["offset"] {
            if let value = Int(text), (0...maximumOffset).contains(value) {
                offset = value
            } else {
                errors["offset"] = "offset must be between 0 and \(maximumOffset)"
            }
        }
        // To the millisecond, as `as_of` is written back: every page then draws the same line.
        var asOf = ISOTime.milliseconds(now)
        if let text = query["as_of"] {
            if let value = ISOTime.date(text), asOfRange.contains(value.timeIntervalSince1970) {
                asOf = value
            } else {
                errors["as_of"] = "as_of must be an ISO-8601 time between the years 1970 and 9999"
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return PageRequest(limit: limit, offset: offset, asOf: asOf)
    }

    /// A boolean filter (`is_active=true`); absent is nil.
    public static func flag(_ name: String, in query: [String: String]) throws(ValidationFailure) -> Bool? {
        guard let text = query[name] else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw ValidationFailure(field: name, "\(name) must be true or false")
        }
    }
}

/// The contract's page: `{data, total, limit, offset, has_next, next_offset, prev_offset}`, plus
/// `as_of` to pass back for the next pages.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public let data: [Item]
    public let total: Int
    public let limit: Int
    public let offset: Int
    public let hasNext: Bool
    public let nextOffset: Int?
    public let prevOffset: Int?
    public let asOf: Date

    public init(data: [Item], total: Int, request: PageRequest) {
        self.data = data
        self.total = total
        limit = request.limit
        offset = request.offset
        hasNext = request.offset + data.count < total
        nextOffset = hasNext ? request.offset + request.limit : nil
        prevOffset = request.offset > 0 ? max(0, request.offset - request.limit) : nil
        asOf = request.asOf
    }

    enum CodingKeys: String, CodingKey {
        case data, total, limit, offset
        case hasNext = "has_next"
        case nextOffset = "next_offset"
        case prevOffset = "prev_offset"
        case asOf = "as_of"
    }

    /// Written by hand so that a missing next or previous offset is `null`, as the contract shows it
    /// (the synthesized encoder would leave the key out).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(total, forKey: .total)
        try container.encode(limit, forKey: .limit)
        try container.encode(offset, forKey: .offset)
        try container.encode(hasNext, forKey: .hasNext)
        try container.encode(nextOffset, forKey: .nextOffset)
        try container.encode(prevOffset, forKey: .prevOffset)
        try container.encode(asOf, forKey: .asOf)
    }
}

extension Page: APIExample where Item: APIExample {
    public static var example: Page {
        Page(data: [Item.example], total: 1, request: PageRequest(limit: 10, offset: 0, asOf: Date(timeIntervalSince1970: 1_780_000_000)))
    }
}

extension PageRequest {
    /// The query parameters of every paged list.
    public static let queryParameters: [QueryParameter] = [
        .integer("limit", "Rows per page, 1 to 100 (default 10)"),
        .integer("offset", "Rows to skip, 0 to 1,000,000,000"),
        QueryParameter(
            name: "as_of", schema: .string(format: "date-time"), required: false,
            description: "The list as it was at this time: pass back the first page's `as_of` so later rows do not shift the pages"),
    ]
}
