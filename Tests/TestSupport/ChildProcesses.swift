import Foundation
import Synchronization

/// Servers the tests start are killed when the test process exits, however it exits normally, so
/// no nats-server or SMTP server outlives a test run.
enum ChildProcesses {
    private static let pids = Mutex<Set<Int32>>([])
    private static let registered = Atomic<Bool>(false)

    static func track(_ pid: Int32) {
        if !registered.exchange(true, ordering: .relaxed) {
            atexit { ChildProcesses.killAll() }
        }
        pids.withLock { _ = $0.insert(pid) }
    }

    static func untrack(_ pid: Int32) {
        pids.withLock { _ = $0.remove(pid) }
    }

    static func killAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
