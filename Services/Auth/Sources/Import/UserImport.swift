import FluentKit
import Foundation
import TollgatePersistence

/// `tollgate-auth import-users FILE.jsonl`: all or nothing. Every line is checked first; any bad
/// line (or two lines for one email or username) stops the import before anything is written.
/// Accounts already present (same id, email or username) are skipped, so a re-run is harmless.
public struct UserImport: Sendable {
    public struct Report: Sendable, Equatable {
        public var imported = 0
        public var skipped: [String] = []
    }

    public struct Rejected: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "nothing imported; fix these lines first:\n" + problems.joined(separator: "\n")
        }
    }

    let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    public func run(jsonLines: Data) async throws -> Report {
        let records = try Self.parse(jsonLines)
        return try await database.database.transaction { db in
            var report = Report()
            for (line, record) in records {
                let user = record.makeUser()
                if let clash = try await existing(user, on: db) {
                    report.skipped.append("line \(line): \(clash) already present")
                    continue
                }
                try await user.create(on: db)
                guard let userID = user.id else { continue }
                try await record.makeProfile(userID: userID).create(on: db)
                report.imported += 1
            }
            try await AuditLog(database: database).record(
                .usersImported, userID: nil, request: nil,
                detail: "imported=\(report.imported) skipped=\(report.skipped.count)", on: db)
            return report
        }
    }

    /// Numbered records, or every problem found.
    static func parse(_ data: Data) throws -> [(Int, ImportedUser)] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Self.date(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO-8601 time"))
            }
            return date
        }
        var records: [(Int, ImportedUser)] = []
        var problems: [String] = []
        var emails: [String: Int] = [:]
        var usernames: [String: Int] = [:]
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let number = index + 1
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            guard let record = try? decoder.decode(ImportedUser.self, from: Data(text.utf8)) else {
                problems.append("line \(number): not a JSON object with string fields email and username")
                continue
            }
            if let problem = record.problem() {
                problems.append("line \(number): \(problem)")
                continue
            }
            let email = CanonicalForm.email(record.email)
            let username = CanonicalForm.of(record.username)
            if let first = emails[email] { problems.append("line \(number): same email as line \(first)") }
            if let first = usernames[username] { problems.append("line \(number): same username as line \(first)") }
            emails[email] = emails[email] ?? number
            usernames[username] = usernames[username] ?? number
            records.append((number, record))
        }
        if !problems.isEmpty { throw Rejected(problems: problems) }
        return records
    }

    private static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ISO8601DateFormatter().date(from: text) ?? withFraction.date(from: text)
    }

    private func existing(_ user: User, on db: any Database) async throws -> String? {
        if let id = user.id, try await User.find(id, on: db) != nil { return "id \(id.uuidString.lowercased())" }
        if try await User.query(on: db).filter(\.$emailCanonical == user.emailCanonical).count() > 0 {
            return "email \(user.email)"
        }
        if try await User.query(on: db).filter(\.$usernameCanonical == user.usernameCanonical).count() > 0 {
            return "username \(user.username)"
        }
        return nil
    }
}
