import Foundation
import Mustache
import TollgateContracts

/// A rendered email, ready for a transport.
public struct RenderedEmail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String
}

public struct RenderingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}

/// Renders email commands with swift-mustache. Unlike plain Mustache, a variable the template uses
/// but the command lacks is an error, not an empty string: a broken link is worse than no email.
public struct EmailRenderer: Sendable {
    private let templates: [String: MustacheTemplate]
    private let variables: [String: Set<String>]
    private let globals: [String: String]

    public init(branding: Branding, overridesDirectory: String?) throws {
        var sources = BuiltInTemplates.files
        if let overridesDirectory {
            for name in sources.keys {
                let path = "\(overridesDirectory)/\(name)"
                if let text = try? String(contentsOfFile: path, encoding: .utf8) { sources[name] = text }
            }
        }
        var templates: [String: MustacheTemplate] = [:]
        var variables: [String: Set<String>] = [:]
        for (name, source) in sources {
            // Only the HTML part is HTML-escaped; a subject or text body shows characters as they are.
            let isHTML = name.hasSuffix(".html.mustache")
            do {
                templates[name] = try MustacheTemplate(string: isHTML ? source : "{{% CONTENT_TYPE: TEXT}}" + source)
            } catch {
                throw RenderingError(message: "template \(name) does not parse: \(error)")
            }
            variables[name] = Self.variableNames(in: source)
        }
        self.templates = templates
        self.variables = variables
        self.globals = branding.variables
    }

    public func render(_ command: EmailCommand) throws(RenderingError) -> RenderedEmail {
        let data = globals.merging(command.data) { _, new in new }
        func part(_ part: String) throws(RenderingError) -> String {
            let name = "\(command.template.rawValue).\(part).mustache"
            guard let template = templates[name] else { throw RenderingError(message: "no template \(name)") }
            let missing = (variables[name] ?? []).subtracting(data.keys)
            guard missing.isEmpty else {
                throw RenderingError(message: "\(name) needs \(missing.sorted().joined(separator: ", "))")
            }
            return template.render(data)
        }
        return RenderedEmail(
            subject: try part("subject").trimmingCharacters(in: .whitespacesAndNewlines), text: try part("text"),
            html: try part("html"))
    }

    /// Names in `{{name}}`, `{{{name}}}` and `{{& name}}` tags (sections and comments aside).
    static func variableNames(in source: String) -> Set<String> {
        var names: Set<String> = []
        var rest = source[...]
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            if tag.hasPrefix("{") { tag = String(tag.dropFirst()) }
            if tag.hasPrefix("&") { tag = String(tag.dropFirst()) }
            tag = tag.trimmingCharacters(in: .whitespaces)
            guard let first = tag.first, first.isLetter || first == "_" else { continue }
            names.insert(tag)
        }
        return names
    }
}
