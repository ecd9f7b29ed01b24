import Dispatch
import Foundation
import Synchronization
import TollgateContracts

#if canImport(Glibc)
    import Glibc
#endif

/// The process's threads for password hashing: one per core, started once, taking jobs in order.
/// They run at a lower scheduling priority than everything else (nice 10 on Linux), so a flood of
/// sign-ins uses the idle CPU but cannot starve the event loops that answer other requests; and
/// being a fixed set, waiting jobs queue here instead of parking one Dispatch thread each.
final class HashingThreads: Sendable {
    static let shared = HashingThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(count: Int) {
        for index in 0..<max(count, 1) {
            let thread = Thread { [self] in
                Self.lowerPriority()
                while true {
                    waiting.wait()
                    let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    job?()
                }
            }
            thread.name = "tollgate-argon2-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a hashing thread. A job whose request deadline (`RequestDeadline.current` when
    /// it was queued) has passed by the time a thread takes it is not run: it throws `DeadlinePassed`.
    func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        let deadline = RequestDeadline.current
        return try await withCheckedThrowingContinuation { continuation in
            jobs.withLock {
                $0.append {
                    continuation.resume(
                        with: Result {
                            try RequestDeadline.$current.withValue(deadline) { try RequestDeadline.check() }
                            return try body()
                        })
                }
            }
            waiting.signal()
        }
    }

    private static func lowerPriority() {
        #if os(Linux)
            // On Linux the nice value is per thread, and 0 names the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
