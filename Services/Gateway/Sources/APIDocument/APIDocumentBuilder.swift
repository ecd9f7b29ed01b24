import TollgateContracts
import TollgateServiceKit

/// Writes the OpenAPI document from the gateway's route table (paths, methods, who may call, rate
/// limits, plan tiers, bodies taken) and what each service says of its endpoints (parameters,
/// bodies, answers); adds the answers the gateway gives itself. Nothing in it is written by hand.
struct APIDocumentBuilder {
    let routes: RouteTable
    let publicURL: String
    let bodyLimit: Int

    static let bearer = "bearer"
    static let refreshCookie = "refreshCookie"

    /// `shapes`: by `"METHOD /path"`, as the services describe their endpoints.
    func build(shapes: [String: EndpointShape]) -> OpenAPIDocument {
        let summaries = Dictionary(Endpoint.all.map { ("\($0.method) \($0.path)", $0.summary) }) { first, _ in first }
        var paths: [String: [String: OpenAPIDocument.Operation]] = [:]
        for route in routes.routes {
            let key = "\(route.method) \(route.path)"
            let shape = shapes[key] ?? EndpointShape(answers: [Answer.empty(200, "The service's answer")])
            paths[route.path, default: [:]][route.method.lowercased()] = operation(
                route, shape: shape, summary: summaries[key] ?? route.destination, declared: summaries[key] != nil)
        }
        paths["/healthz"] = ["get": probe("The gateway is up", operationId: "healthz", tag: "health")]
        paths["/readyz"] = ["get": probe("The gateway, the bus and every service answer", operationId: "readyz", tag: "health", notReady: true)]
        return OpenAPIDocument(
            info: .init(
                title: "Tollgate", version: "1",
                description: "Accounts, sessions, plans and Stripe subscriptions. Signed-in routes take `Authorization: Bearer <access token>`; the refresh token travels in the `refresh_token` cookie."),
            servers: [.init(url: publicURL)], paths: paths,
            components: .init(securitySchemes: [
                Self.bearer: .init(
                    type: "http", scheme: "bearer", bearerFormat: "JWT",
                    description: "The access token from /login, /login/code, /refresh-token or a social sign-in"),
                Self.refreshCookie: .init(
                    type: "apiKey", name: "refresh_token", in: "cookie", description: "The refresh token, set by every sign-in"),
            ]))
    }

    private func operation(_ route: GatewayRoute, shape: EndpointShape, summary: String, declared: Bool) -> OpenAPIDocument.Operation {
        var answers = shape.answers
        answers += gatewayAnswers(route)
        var parameters = route.parameterNames.map {
            OpenAPIDocument.Parameter(name: $0, in: "path", required: true, description: nil, schema: .string())
        }
        parameters += shape.query.map {
            OpenAPIDocument.Parameter(name: $0.name, in: "query", required: $0.required, description: $0.description, schema: $0.schema)
        }
        let security: [[String: [String]]]
        switch route.access {
        case .public: security = route.refreshCookie ? [[Self.refreshCookie: []], [:]] : []
        case .user, .admin: security = [[Self.bearer: []]]
        }
        return OpenAPIDocument.Operation(
            summary: summary,
            // A declared endpoint is named by its subject; an added route (which may share one) by its method and path.
            operationId: declared
                ? route.subject.split(separator: ".").dropFirst().joined(separator: ".")
                : route.method.lowercased() + route.path.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined(),
            tags: [String(route.subject.split(separator: ".").dropFirst().first ?? "other")], security: security,
            parameters: parameters,
            requestBody: shape.body.map {
                .init(required: !route.refreshCookie, content: ["application/json": .init(schema: $0, example: shape.bodyExample)])
            },
            responses: Self.responses(answers))
    }

    /// What the gateway answers on this route before (or instead of) the service.
    private func gatewayAnswers(_ route: GatewayRoute) -> [Answer] {
        var answers: [Answer] = []
        if route.access != .public {
            answers.append(.error(401, "Not authenticated / Invalid token / Token expired / Token has been revoked", headers: ["WWW-Authenticate"]))
        }
        if route.access == .admin { answers.append(.error(403, "User does not have admin privileges")) }
        if route.tier != nil {
            answers.append(.error(402, "This feature needs an active subscription"))
            answers.append(.error(403, "Your plan does not include this feature; upgrade to use it"))
        }
        if let feature = route.feature {
            answers.append(.error(402, "This feature needs an active subscription"))
            answers.append(.error(403, "Your plan does not include \(feature)"))
        }
        if route.policy != nil { answers.append(.error(429, "Too many requests; retry later", headers: ["Retry-After"])) }
        if let quota = route.quota {
            answers.append(.error(402, "This feature needs an active subscription"))
            answers.append(.error(403, "Your plan does not include \(quota)"))
            answers.append(
                .error(429, "Your plan's \(quota) for this period are used up", headers: ["Retry-After", "Quota-Limit", "Quota-Remaining", "Quota-Reset"]))
            answers.append(.error(503, "Quota counts are not available yet; retry shortly", headers: ["Retry-After"]))
        }
        if route.refreshCookie {
            answers.append(.error(403, "Cross-site request refused: send an allowed Origin or Content-Type: application/json"))
        }
        if JSONContentType.takesBody(route.method) {
            answers.append(.error(413, "Request body is larger than \(bodyLimit) bytes"))
            answers.append(.error(415, JSONContentType.refusal))
            answers.append(.error(400, "Could not read the request body"))
        }
        if !route.parameterNames.isEmpty { answers.append(.error(404, "Not Found")) }
        if route.upstream != nil {
            answers.append(.error(502, "The upstream service could not be reached"))
            answers.append(.error(504, "The upstream service did not answer in time"))
            return answers
        }
        answers.append(.error(503, "Service unavailable, busy or its database unreachable; retry later", headers: ["Retry-After"]))
        answers.append(.error(504, "The service did not answer in time"))
        return answers
    }

    /// One response per status: answers sharing a status are one, their descriptions joined.
    static func responses(_ answers: [Answer]) -> [String: OpenAPIDocument.Response] {
        var responses: [String: OpenAPIDocument.Response] = [:]
        for answer in answers {
            let key = String(answer.status)
            var response = responses[key] ?? OpenAPIDocument.Response(description: "")
            response.description = response.description.isEmpty ? answer.description : "\(response.description) / \(answer.description)"
            if let schema = answer.schema {
                // Two bodies under one status (rare): either may come.
                if let existing = response.content?["application/json"]?.schema, existing != schema {
                    response.content = ["application/json": .init(schema: JSONSchema.anyValue)]
                } else {
                    response.content = ["application/json": .init(schema: schema)]
                }
            }
            for header in answer.headers {
                var headers = response.headers ?? [:]
                headers[header] = .init(schema: .string())
                response.headers = headers
            }
            responses[key] = response
        }
        return responses
    }

    private func probe(_ summary: String, operationId: String, tag: String, notReady: Bool = false) -> OpenAPIDocument.Operation {
        var answers = [Answer.json(200, ProbeAnswer.self, summary)]
        if notReady { answers.append(.json(503, ProbeAnswer.self, "Something is not ready; the body says what")) }
        return OpenAPIDocument.Operation(
            summary: summary, operationId: operationId, tags: [tag], security: [], parameters: [], requestBody: nil,
            responses: Self.responses(answers))
    }
}

/// `/healthz` and `/readyz` answer JSON objects; only their `status`/`ready` fields are promised.
struct ProbeAnswer: Encodable, APIExample {
    static let example = ProbeAnswer()
    func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: CodingKeys.self)
    }
    enum CodingKeys: CodingKey {}
}
