import Foundation
import Logging
import ServiceLifecycle
import TollgateContracts
import TollgateMessaging

/// Watches the signing-keys and revocations buckets and mirrors them into `TokenState`.
public struct TokenStateWatcher: Service {
    let jetStream: JetStream
    let subjects: Subjects
    let state: TokenState
    let logger: Logger

    public init(jetStream: JetStream, subjects: Subjects, state: TokenState, logger: Logger) {
        self.jetStream = jetStream
        self.subjects = subjects
        self.state = state
        self.logger = logger
    }

    /// Both buckets read up to date at least once.
    public var isLoaded: Bool {
        SharedBuckets.judgingTokens(subjects).allSatisfy(state.isLoaded)
    }

    public func run() async throws {
        let state = self.state
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for settings in [SharedBuckets.jwks(subjects), SharedBuckets.revocations(subjects)] {
                    let apply = settings.bucket == subjects.jwksBucket ? Self.applyKey : Self.applyRevocation
                    group.addTask {
                        await BucketWatch(jetStream: jetStream, settings: settings, logger: logger).run(
                            apply: { apply(state, $0) }, caughtUp: { state.markLoaded(settings.bucket) })
                    }
                }
            }
        }
    }

    private static func applyKey(_ state: TokenState, _ entry: KeyValueEntry) {
        guard entry.operation == .put, let jwk = try? JSONDecoder().decode(PublicJWK.self, from: entry.value) else {
            state.setKey(nil, kid: entry.key)
            return
        }
        state.setKey(jwk, kid: entry.key)
    }

    private static func applyRevocation(_ state: TokenState, _ entry: KeyValueEntry) {
        guard entry.operation == .put, let revocation = try? JSONDecoder().decode(Revocation.self, from: entry.value)
        else {
            state.setRevocation(nil, key: entry.key)
            return
        }
        state.setRevocation(revocation.revokedAt, key: entry.key)
    }
}
