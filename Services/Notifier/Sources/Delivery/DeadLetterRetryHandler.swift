import Foundation
import TollgateContracts
import TollgateServiceKit

/// Answers `tollgate-notifier dead-letters retry`: 200 once the mail server took it, 404 for an
/// unknown id, 409 for a letter whose secret was not kept, 502 when delivery failed again.
struct DeadLetterRetryHandler: Sendable {
    let deadLetters: DeadLetters
    let delivery: EmailDelivery

    func handle(_ request: ServiceRequest) async throws -> ServiceResponse {
        let retry = try request.decode(DeadLetterRetry.self)
        switch try await deadLetters.retry(messageID: retry.messageID, with: delivery) {
        case .delivered: return .message(200, "delivered")
        case .notFound: return .error(404, "no dead letter with id \(retry.messageID)")
        case .secretNotKept:
            return .error(409, "this email held a one-time link or code, which is never kept; the user must ask for a new one")
        case .failed(let reason): return .error(502, "delivery failed again: \(reason)")
        }
    }
}
