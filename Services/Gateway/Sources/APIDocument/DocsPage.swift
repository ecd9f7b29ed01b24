import Foundation
import TollgateSecurity
import TollgateServiceKit

/// `GET /docs`: the API document as one plain HTML page — every route with its credentials,
/// parameters, body and answers — with no script and nothing loaded from elsewhere.
enum DocsPage {
    /// Inline styles only, and nothing else: the page's own `Content-Security-Policy`.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

    static func render(_ document: OpenAPIDocument) -> String {
        var operations: [(tag: String, path: String, method: String, operation: OpenAPIDocument.Operation)] = []
        for (path, methods) in document.paths {
            for (method, operation) in methods { operations.append((operation.tags.first ?? "other", path, method, operation)) }
        }
        operations.sort { ($0.tag, $0.path, $0.method) < ($1.tag, $1.path, $1.method) }
        let tags = operations.map(\.tag).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }

        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(document.info.title)) API</title>
            <style>
            body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
            code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}
            section{border-top:1px solid #ddd;padding:.5rem 0}h3 code{font-size:15px}
            table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
            </style></head><body>
            <h1>\(escape(document.info.title)) API</h1>
            <p>\(escape(document.info.description))</p>
            <p>The OpenAPI \(escape(document.openapi)) document: <a href="/openapi.json">/openapi.json</a>.</p>
            <nav><ul>\(tags.map { "<li><a href=\"#\(escape($0))\">\(escape($0))</a></li>" }.joined())</ul></nav>

            """
        for tag in tags {
            html += "<h2 id=\"\(escape(tag))\">\(escape(tag))</h2>\n"
            for entry in operations where entry.tag == tag {
                html += section(method: entry.method, path: entry.path, entry.operation)
            }
        }
        return html + "</body></html>\n"
    }

    private static func section(method: String, path: String, _ operation: OpenAPIDocument.Operation) -> String {
        var html = "<section id=\"\(escape(operation.operationId))\"><h3><code>\(method.uppercased()) \(escape(path))</code></h3>"
        html += "<p>\(escape(operation.summary))</p>"
        let credentials = operation.security.flatMap(\.keys)
        html += "<p>Credentials: \(credentials.isEmpty ? "none" : escape(credentials.joined(separator: " or ")))</p>"
        if !operation.parameters.isEmpty {
            html += "<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>"
            for parameter in operation.parameters {
                html += "<tr><td><code>\(escape(parameter.name))</code></td><td>\(parameter.in)</td>"
                html += "<td>\(parameter.required ? "yes" : "no")</td><td>\(escape(parameter.description ?? ""))</td></tr>"
            }
            html += "</table>"
        }
        if let body = operation.requestBody?.content["application/json"] {
            html += "<p>Body (JSON):</p><pre>\(escape(pretty(body.schema)))</pre>"
            if let example = body.example { html += "<p>For example:</p><pre>\(escape(pretty(example)))</pre>" }
        }
        html += "<dl>"
        for (status, response) in operation.responses.sorted(by: { $0.key < $1.key }) {
            html += "<dt><b>\(escape(status))</b> \(escape(response.description))</dt><dd>"
            if let headers = response.headers { html += "<p>Headers: \(escape(headers.keys.sorted().joined(separator: ", ")))</p>" }
            if let schema = response.content?["application/json"]?.schema { html += "<pre>\(escape(pretty(schema)))</pre>" }
            html += "</dd>"
        }
        return html + "</dl></section>\n"
    }

    private static func pretty(_ schema: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(schema)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
