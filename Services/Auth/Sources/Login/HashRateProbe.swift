import Foundation
import TollgateSecurity

/// `tollgate-auth hash-benchmark`: how many Argon2id verifications per second this machine does
/// with Auth's configured parameters, through the same hashing threads sign-ins use. The baseline
/// the sign-in benchmark is judged against.
public struct HashRateProbe: Sendable {
    public let parameters: Argon2Parameters

    public init(parameters: Argon2Parameters) {
        self.parameters = parameters
    }

    /// Verifications per second over `duration`, keeping every hashing thread busy.
    public func measure(for duration: Duration) async throws -> Double {
        let hasher = PasswordHasher(parameters: parameters)
        let hash = try await hasher.hash("benchmark-password")
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let inFlight = ProcessInfo.processInfo.activeProcessorCount * 2
        let count = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var done = 0
                    while clock.now < deadline {
                        _ = try? await hasher.verify("benchmark-password", against: hash)
                        done += 1
                    }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = clock.now - start
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
