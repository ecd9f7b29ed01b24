import Foundation

/// JetStream's answer to an API request that only succeeds or refuses (deleting a message, moving a
/// consumer's leadership): `{"success": true}` or `{"error": {"description": …}}`.
struct JetStreamAnswer: Decodable {
    struct Refusal: Decodable { let description: String? }
    let success: Bool?
    let error: Refusal?

    /// Throws JetStream's reason unless the answer says it succeeded; `what` names the request.
    static func check(_ payload: Data, _ what: String) throws(NatsError) {
        let answer = try? JSONDecoder().decode(JetStreamAnswer.self, from: payload)
        guard answer?.success == true else {
            throw NatsError(.jetStream, "\(what): \(answer?.error?.description ?? "refused")")
        }
    }
}
