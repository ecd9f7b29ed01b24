import Foundation

/// Reads a development `.env` file (`NAME=value` lines, `#` comments, optional quotes).
/// Variables already in the process environment win over the file.
public enum DotEnv {
    public static func merged(processEnvironment: [String: String], file path: String = ".env") -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return processEnvironment }
        var values = parse(text)
        values.merge(processEnvironment) { _, process in process }
        return values
    }

    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var name = String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("export ") { name = String(name.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            var value = String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[name] = value
        }
        return values
    }
}
