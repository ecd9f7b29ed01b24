import Foundation

/// Reads typed values out of a dictionary of environment variables, collecting every problem so the
/// start-up error names all bad variables at once. `NAME_FILE` may name a file holding `NAME`'s value
/// (how secrets arrive from Docker or Kubernetes).
public struct EnvironmentReader {
    public let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The raw value, from `NAME` or the file named by `NAME_FILE`; empty counts as unset.
    public mutating func raw(_ name: String) -> String? {
        if let value = values[name], !value.isEmpty { return value }
        guard let path = values[name + "_FILE"], !path.isEmpty else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            problems.append("\(name)_FILE: cannot read \(path)")
            return nil
        }
    }

    /// A secret from `NAME`, the file `NAME_FILE` names, or else `defaultFile` when it exists; nil
    /// when none of them holds one (the caller decides whether that is a problem, and names `NAME`).
    public mutating func secret(_ name: String, defaultFile: String?) -> SecretText? {
        if let value = values[name], !value.isEmpty { return SecretText(value: value, source: name) }
        if let path = values[name + "_FILE"], !path.isEmpty {
            guard let value = raw(name) else { return nil }
            return SecretText(value: value, source: "\(name)_FILE (\(path))")
        }
        return defaultFile.flatMap(SecretText.read(file:))
    }

    public mutating func string(_ name: String, default defaultValue: String) -> String {
        raw(name) ?? defaultValue
    }

    public mutating func optionalString(_ name: String) -> String? {
        raw(name)
    }

    public mutating func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problems.append("\(name): expected a whole number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
            return defaultValue
        }
        return value
    }

    public mutating func port(_ name: String, default defaultValue: Int) -> Int {
        int(name, default: defaultValue, in: 0...65535)
    }

    public mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let text = raw(name) else { return defaultValue }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(name): expected true or false, got \"\(text)\"")
            return defaultValue
        }
    }

    /// A duration written in whole seconds.
    public mutating func seconds(_ name: String, default defaultValue: Duration, in range: ClosedRange<Int>) -> Duration {
        guard raw(name) != nil else { return defaultValue }
        return .seconds(int(name, default: 0, in: range))
    }

    public mutating func oneOf<Value: RawRepresentable>(_ name: String, default defaultValue: Value) -> Value
    where Value.RawValue == String, Value: CaseIterable {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Value(rawValue: text.lowercased()) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            problems.append("\(name): expected one of \(allowed), got \"\(text)\"")
            return defaultValue
        }
        return value
    }

    /// A URL whose scheme is one of `schemes`.
    public mutating func url(_ name: String, default defaultValue: String, schemes: Set<String>) -> String {
        let text = raw(name) ?? defaultValue
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            schemes.contains(scheme)
        else {
            problems.append("\(name): expected a URL with scheme \(schemes.sorted().joined(separator: " or ")), got \"\(redactedURL(text))\"")
            return defaultValue
        }
        return text
    }

    /// One URL or several, comma-separated (the servers of a cluster): each must have one of `schemes`.
    public mutating func urlList(_ name: String, default defaultValue: String, schemes: Set<String>) -> String {
        let text = raw(name) ?? defaultValue
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let valid = parts.allSatisfy { part in
            guard let components = URLComponents(string: part), let scheme = components.scheme?.lowercased(),
                components.host?.isEmpty == false
            else { return false }
            return schemes.contains(scheme)
        }
        guard valid else {
            problems.append(
                "\(name): expected URLs with scheme \(schemes.sorted().joined(separator: " or ")), comma-separated, got \"\(redactedURL(text))\"")
            return defaultValue
        }
        return parts.joined(separator: ",")
    }

    /// A database URL: `sqlite://PATH`, `sqlite::memory:` or `postgres://…`.
    public mutating func databaseURL(_ name: String, default defaultValue: String) -> String {
        let url = raw(name) ?? defaultValue
        let valid = url == "sqlite::memory:" || (url.hasPrefix("sqlite://") && url.count > 9)
            || url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
        if !valid {
            problems.append("\(name): expected sqlite://PATH, sqlite::memory: or postgres://…, got \"\(redactedURL(url))\"")
        }
        return url
    }

    public mutating func addProblem(_ problem: String) {
        problems.append(problem)
    }

    /// Throws every problem found so far.
    public func finish() throws(ConfigurationError) {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }
}

/// A URL with any password replaced, safe to print.
public func redactedURL(_ text: String) -> String {
    if text.contains(",") {
        return text.split(separator: ",", omittingEmptySubsequences: false).map { redactedURL(String($0)) }.joined(separator: ",")
    }
    guard var components = URLComponents(string: text), components.password != nil else { return text }
    components.password = "redacted"
    return components.string ?? "<redacted>"
}
