import Synchronization

/// How many requests a service is working on, against its limit: a request over the limit is
/// refused at once (503), so a flood queues nowhere and the requests admitted still finish in time.
final class InFlightLimit: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Admits one request, or answers false when `limit` are already being worked on.
    func enter() -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        count.withLock { $0 -= 1 }
    }
}
