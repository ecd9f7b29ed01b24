import TollgateContracts

/// What a service says about one of its endpoints for the API document: the query parameters it
/// reads, the body it takes and the answers it gives, with their bodies' schemas derived from the
/// Swift types themselves (`APIExample`). Given where the service binds the endpoint's handler.
public struct EndpointShape: Sendable, Codable {
    public var query: [QueryParameter]
    public var body: JSONSchema?
    /// The body's example, as sent.
    public var bodyExample: JSONValue?
    public var answers: [Answer]

    public init(query: [QueryParameter] = [], answers: [Answer]) {
        self.query = query
        self.answers = Self.refusingNUL(answers, query: query)
    }

    public init<Body: APIExample>(query: [QueryParameter] = [], body: Body.Type, answers: [Answer]) {
        self.query = query
        self.body = SchemaEncoder.schema(of: Body.example)
        self.bodyExample = JSONValue(encoding: Body.example)
        self.answers = Self.refusingNUL(answers, query: query)
    }

    /// Every service refuses a query parameter holding NUL with a 422 (`ServiceRequest.refuseNUL`),
    /// so an endpoint that reads any says so.
    static func refusingNUL(_ answers: [Answer], query: [QueryParameter]) -> [Answer] {
        query.isEmpty || answers.contains(where: { $0.status == 422 }) ? answers : answers + [.validation]
    }
}

/// A query parameter an endpoint reads.
public struct QueryParameter: Sendable, Codable {
    public var name: String
    public var schema: JSONSchema
    public var required: Bool
    public var description: String

    public static func string(_ name: String, required: Bool = false, _ description: String) -> QueryParameter {
        QueryParameter(name: name, schema: .string(), required: required, description: description)
    }

    public static func integer(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, schema: .integer, required: false, description: description)
    }

    public static func boolean(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, schema: .boolean, required: false, description: description)
    }
}

/// One answer an endpoint may give.
public struct Answer: Sendable, Codable {
    public var status: Int
    public var description: String
    /// The JSON body's schema; nil for an answer without a body.
    public var schema: JSONSchema?
    /// Headers the answer carries that a client acts on (`Set-Cookie`, `Location`).
    public var headers: [String]

    public static func json<Body: APIExample>(
        _ status: Int, _ type: Body.Type, _ description: String, headers: [String] = []
    ) -> Answer {
        Answer(status: status, description: description, schema: SchemaEncoder.schema(of: Body.example), headers: headers)
    }

    /// `{"detail": …}`.
    public static func error(_ status: Int, _ description: String, headers: [String] = []) -> Answer {
        Answer(status: status, description: description, schema: SchemaEncoder.schema(of: ErrorBody.example), headers: headers)
    }

    /// The contract's `{"message": …}`.
    public static func message(_ status: Int, _ description: String, headers: [String] = []) -> Answer {
        Answer(status: status, description: description, schema: SchemaEncoder.schema(of: MessageBody.example), headers: headers)
    }

    /// No body (`204`, or a redirect with its `Location`).
    public static func empty(_ status: Int, _ description: String, headers: [String] = []) -> Answer {
        Answer(status: status, description: description, schema: nil, headers: headers)
    }

    /// `422 {"errors": {field: message}}`.
    public static let validation = Answer(
        status: 422, description: "A field is missing or invalid", schema: SchemaEncoder.schema(of: ValidationErrorBody.example),
        headers: [])
}

/// The contract's `{"message": …}` body.
public struct MessageBody: Codable, Sendable, APIExample {
    public let message: String
    public init(message: String) { self.message = message }
    public static let example = MessageBody(message: "Password has been changed successfully")
}

extension ErrorBody: APIExample {
    public static let example = ErrorBody(detail: "No plan found for this id")
}

extension ValidationErrorBody: APIExample {
    public static let example = ValidationErrorBody(errors: ["email": "Enter a valid email address"])
}

/// An endpoint with its shape, as a service publishes it to the gateways.
public struct EndpointDescription: Sendable, Codable {
    public var method: String
    public var path: String
    public var shape: EndpointShape
}
