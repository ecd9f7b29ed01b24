import Foundation

/// How emails state times: always UTC, in English, so every producer writes them alike.
public enum EmailDates {
    /// "2026-11-30 14:05 UTC": when something happened.
    public static func moment(_ date: Date) -> String { format(date, "yyyy-MM-dd HH:mm 'UTC'") }

    /// "30 November 2026": a day, such as the end of a paid period.
    public static func day(_ date: Date) -> String { format(date, "d MMMM yyyy") }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
