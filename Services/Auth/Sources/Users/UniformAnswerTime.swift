/// Answers that must not reveal whether an email is registered take at least this long whichever
/// way they went, so the database work done only for real accounts does not show in the timing.
struct UniformAnswerTime: Sendable {
    var minimum: Duration = .milliseconds(250)

    func run<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: minimum)
        let result: Result<Value, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        try? await clock.sleep(until: deadline)
        return try result.get()
    }
}
