import Dispatch

/// Runs blocking libnats calls (JetStream and key-value requests wait for a reply) on Dispatch threads,
/// never on a Swift cooperative thread or a NIO event loop.
enum BlockingCalls {
    private static let queue = DispatchQueue(label: "tollgate.nats.blocking", attributes: .concurrent)

    static func run<Value: Sendable>(_ body: @escaping @Sendable () throws(NatsError) -> Value) async throws(NatsError)
        -> Value
    {
        let result: Result<Value, NatsError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(NatsError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
