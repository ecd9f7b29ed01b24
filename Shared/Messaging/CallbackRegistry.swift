import Synchronization

/// The connections' callback state, found by a number rather than by a retained pointer: libnats
/// may call a callback after a failed connect, or not at all, and a number that is no longer
/// registered is simply ignored, where a released pointer would crash.
final class CallbackRegistry: Sendable {
    static let shared = CallbackRegistry()

    struct Registration {
        let id: Int
        var closure: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: id) }
    }

    private let entries = Mutex<(next: Int, events: [Int: ConnectionEvents])>((1, [:]))

    func register(_ events: ConnectionEvents) -> Registration {
        entries.withLock { state in
            let id = state.next
            state.next += 1
            state.events[id] = events
            return Registration(id: id)
        }
    }

    func events(_ closure: UnsafeMutableRawPointer?) -> ConnectionEvents? {
        guard let closure else { return nil }
        let id = Int(bitPattern: closure)
        return entries.withLock { $0.events[id] }
    }

    func forget(_ registration: Registration) {
        forget(registration.closure)
    }

    func forget(_ closure: UnsafeMutableRawPointer?) {
        guard let closure else { return }
        let id = Int(bitPattern: closure)
        _ = entries.withLock { $0.events.removeValue(forKey: id) }
    }
}
