import Foundation
import Logging
import Synchronization
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// The deployment's API document, as JSON and as a page: asks Auth and Billing what their endpoints
/// read and answer (`Subjects.apiShapes`), builds the document once every service has answered, and
/// keeps it (the services' answers change only with a new release, which restarts the gateway too).
final class APIDocumentSource: Sendable {
    private let builder: APIDocumentBuilder
    private let connection: NatsConnection
    private let subjects: Subjects
    private let logger: Logger
    private let built = Mutex<(json: Data, page: String)?>(nil)

    static let services: [ServiceName] = [.auth, .billing]

    init(builder: APIDocumentBuilder, connection: NatsConnection, subjects: Subjects, logger: Logger) {
        self.builder = builder
        self.connection = connection
        self.subjects = subjects
        self.logger = logger
    }

    /// The document, or the service that did not describe its endpoints.
    func document() async -> Result<(json: Data, page: String), UnavailableService> {
        if let done = built.withLock({ $0 }) { return .success(done) }
        var shapes: [String: EndpointShape] = [:]
        for service in Self.services {
            do {
                let reply = try await connection.request(subjects.apiShapes(service), timeout: .seconds(2))
                guard ReplyEnvelope(natsHeaders: reply.headers)?.status == 200 else { return .failure(UnavailableService(service: service)) }
                for description in try JSONDecoder().decode([EndpointDescription].self, from: reply.payload) {
                    shapes["\(description.method) \(description.path)"] = description.shape
                }
            } catch {
                logger.warning("API document: no endpoint shapes", metadata: ["service": "\(service)", "error": "\(error)"])
                return .failure(UnavailableService(service: service))
            }
        }
        let document = builder.build(shapes: shapes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(document) else { return .failure(UnavailableService(service: .gateway)) }
        let made = (json: json, page: DocsPage.render(document))
        built.withLock { $0 = made }
        return .success(made)
    }

    struct UnavailableService: Error {
        let service: ServiceName
    }
}
