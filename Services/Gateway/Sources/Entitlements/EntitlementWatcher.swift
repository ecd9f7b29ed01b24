import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Mirrors the entitlements bucket into `EntitlementState`.
struct EntitlementWatcher: Service {
    let jetStream: JetStream
    let subjects: Subjects
    let state: EntitlementState
    let logger: Logger

    func run() async throws {
        let state = self.state
        await cancelWhenGracefulShutdown {
            await BucketWatch(jetStream: jetStream, settings: SharedBuckets.entitlements(subjects), logger: logger).run(
                apply: { entry in
                    let entitlement =
                        entry.operation == .put ? try? JSONDecoder().decode(Entitlement.self, from: entry.value) : nil
                    state.setEntitlement(entitlement, user: entry.key)
                },
                caughtUp: { state.markLoaded() })
        }
    }
}
