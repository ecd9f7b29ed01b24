import TollgateServiceKit

/// An OpenAPI 3.1 document, as much of the format as Tollgate's API uses.
struct OpenAPIDocument: Encodable, Sendable {
    var openapi = "3.1.0"
    var info: Info
    var servers: [Server]
    /// By path, then by lower-case method.
    var paths: [String: [String: Operation]]
    var components: Components

    struct Info: Encodable, Sendable {
        var title: String
        var version: String
        var description: String
    }

    struct Server: Encodable, Sendable {
        var url: String
    }

    struct Operation: Encodable, Sendable {
        var summary: String
        var operationId: String
        var tags: [String]
        /// Empty: no credentials needed.
        var security: [[String: [String]]]
        var parameters: [Parameter]
        var requestBody: RequestBody?
        /// By status code.
        var responses: [String: Response]
    }

    struct Parameter: Encodable, Sendable {
        var name: String
        /// `path` or `query`.
        var `in`: String
        var required: Bool
        var description: String?
        var schema: JSONSchema
    }

    struct RequestBody: Encodable, Sendable {
        var required: Bool
        var content: [String: MediaType]
    }

    struct MediaType: Encodable, Sendable {
        var schema: JSONSchema
        var example: JSONValue?
    }

    struct Response: Encodable, Sendable {
        var description: String
        var headers: [String: Header]?
        var content: [String: MediaType]?
    }

    struct Header: Encodable, Sendable {
        var schema: JSONSchema
    }

    struct Components: Encodable, Sendable {
        var securitySchemes: [String: SecurityScheme]
    }

    struct SecurityScheme: Encodable, Sendable {
        var type: String
        var scheme: String?
        var bearerFormat: String?
        var name: String?
        var `in`: String?
        var description: String
    }
}
