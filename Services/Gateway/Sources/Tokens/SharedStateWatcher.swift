import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// Watches the JWKS, revocations and entitlements buckets and mirrors them into `SharedState`.
/// If a watch ends (NATS restarted), it is opened again.
public struct SharedStateWatcher: Service {
    let jetStream: JetStream
    let subjects: Subjects
    let state: SharedState
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.keepWatching(SharedBuckets.jwks(subjects), apply: applyKey) }
                group.addTask { await self.keepWatching(SharedBuckets.revocations(subjects), apply: applyRevocation) }
                group.addTask { await self.keepWatching(SharedBuckets.entitlements(subjects), apply: applyEntitlement) }
            }
        }
    }

    private func keepWatching(_ settings: KeyValueSettings, apply: @Sendable (KeyValueEntry) -> Void) async {
        while !Task.isCancelled {
            do {
                let bucket = try await jetStream.keyValue(settings)
                let watch = try await bucket.watchAll()
                for await update in watch {
                    switch update {
                    case .entry(let entry): apply(entry)
                    case .caughtUp: state.markLoaded(settings.bucket)
                    }
                }
            } catch {
                logger.warning("watch failed; retrying", metadata: ["bucket": "\(settings.bucket)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func applyKey(_ entry: KeyValueEntry) {
        guard entry.operation == .put, let jwk = try? JSONDecoder().decode(PublicJWK.self, from: entry.value) else {
            state.setKey(nil, kid: entry.key)
            return
        }
        state.setKey(jwk, kid: entry.key)
    }

    private func applyRevocation(_ entry: KeyValueEntry) {
        guard entry.operation == .put, let revocation = try? JSONDecoder().decode(Revocation.self, from: entry.value)
        else {
            state.setRevocation(nil, key: entry.key)
            return
        }
        state.setRevocation(revocation.revokedAt, key: entry.key)
    }

    private func applyEntitlement(_ entry: KeyValueEntry) {
        let entitlement = entry.operation == .put ? try? JSONDecoder().decode(Entitlement.self, from: entry.value) : nil
        state.setEntitlement(entitlement, user: entry.key)
    }
}
