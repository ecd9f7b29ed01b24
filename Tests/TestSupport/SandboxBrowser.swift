import Foundation
import HTTPTypes

/// What a person does in a browser on the Stripe sandbox's hosted pages: open a page by its URL,
/// read its forms, and send one (method POST, form-encoded), without following the redirect.
public enum SandboxBrowser {
    public struct Form: Sendable {
        /// The URL the form posts to (absolute).
        public let action: String
        /// Its hidden fields, as the page filled them in.
        public let hidden: [String: String]
        /// The names of the fields a person types or chooses in.
        public let inputs: [String]
        public let button: String
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func open(_ url: String) async throws -> HTTPResult {
        let (port, path) = try split(url)
        return try await GatewayClient(port: port).get(path)
    }

    /// The page's POST forms, in page order.
    public static func forms(in page: HTTPResult, at url: String) throws -> [Form] {
        let html = page.text
        let (port, _) = try split(url)
        var forms: [Form] = []
        for block in html.components(separatedBy: "<form").dropFirst() {
            guard let end = block.range(of: "</form>") else { continue }
            let body = String(block[..<end.lowerBound])
            guard body.hasPrefix(" method=\"post\""), let action = attribute("action", in: body) else { continue }
            var hidden: [String: String] = [:]
            var inputs: [String] = []
            for tag in body.components(separatedBy: "<").dropFirst() where tag.hasPrefix("input") || tag.hasPrefix("select") {
                guard let name = attribute("name", in: tag) else { continue }
                if tag.contains("type=\"hidden\"") { hidden[name] = attribute("value", in: tag) ?? "" } else { inputs.append(name) }
            }
            let button = body.components(separatedBy: "<button type=\"submit\">").dropFirst().first?
                .components(separatedBy: "</button>").first ?? ""
            forms.append(Form(action: "http://127.0.0.1:\(port)\(unescape(action))", hidden: hidden, inputs: inputs, button: button))
        }
        return forms
    }

    /// Sends `form` with its hidden fields and `fields` typed in.
    public static func submit(_ form: Form, _ fields: [String: String]) async throws -> HTTPResult {
        let (port, path) = try split(form.action)
        let body = form.hidden.merging(fields) { _, typed in typed }
            .map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        return try await GatewayClient(port: port).send(
            .post, path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8))
    }

    /// Opens `url`, then sends its form whose button reads `button` with `fields`.
    public static func submit(on url: String, button: String, _ fields: [String: String]) async throws -> HTTPResult {
        let page = try await open(url)
        guard let form = try forms(in: page, at: url).first(where: { $0.button == button }) else {
            throw Missing(description: "no form with the button \(button) on \(url) (status \(page.status)): \(page.text)")
        }
        return try await submit(form, fields)
    }

    private static func split(_ url: String) throws -> (Int, String) {
        guard let parts = URLComponents(string: url), let port = parts.port else { throw Missing(description: "no port in \(url)") }
        return (port, parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? ""))
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return tag[start.upperBound...].components(separatedBy: "\"").first
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
