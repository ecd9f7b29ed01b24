import Foundation

/// How emails state times: always UTC, in English, so every producer writes them alike. Spelled out
/// by hand: a DateFormatter per call cost more than the rest of an email's preparation.
public enum EmailDates {
    /// "2026-11-30 14:05 UTC": when something happened.
    public static func moment(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// "30 November 2026": a day, such as the end of a paid period.
    public static func day(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return "\(parts.day ?? 0) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 0)"
    }

    /// "Mon, 30 Nov 2026 14:05:09 +0000": a message's Date header (RFC 5322, in UTC).
    public static func header(_ date: Date) -> String {
        let parts = utc.dateComponents([.weekday, .year, .month, .day, .hour, .minute, .second], from: date)
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][(parts.weekday ?? 1) - 1]
        let month = months[(parts.month ?? 1) - 1].prefix(3)
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d +0000", weekday, parts.day ?? 0, String(month), parts.year ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
