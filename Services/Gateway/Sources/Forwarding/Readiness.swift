import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// `GET /readyz`: NATS is connected, JetStream answers for every bucket the gateway reads, and
/// every service answers its ping.
public struct Readiness: Sendable {
    let connection: NatsConnection
    let tokens: TokenState
    let entitlements: EntitlementState
    let quotas: QuotaCounter
    let subjects: Subjects
    let services: [ServiceName]
    let timeout: Duration

    public struct Report: Encodable, Sendable {
        public let ready: Bool
        public let nats: String
        /// Signing keys, revocations, entitlements and quota counts read from NATS at least once.
        public let sharedState: String
        /// Each bucket the gateway reads: `ok` when JetStream answered for it (a leader holds it),
        /// `unavailable` otherwise.
        public let buckets: [String: String]
        public let services: [String: String]
    }

    public func check() async -> Report {
        let loaded = SharedBuckets.judgingTokens(subjects).allSatisfy(tokens.isLoaded) && entitlements.isLoaded && quotas.isLoaded
        let buckets = SharedBuckets.readByGateways(subjects)
        guard connection.isConnected else {
            return Report(
                ready: false, nats: "disconnected", sharedState: loaded ? "loaded" : "loading",
                buckets: Dictionary(uniqueKeysWithValues: buckets.map { ($0, "unknown") }),
                services: Dictionary(uniqueKeysWithValues: services.map { ($0.rawValue, "unknown") }))
        }
        async let bucketResults = bucketStates(buckets)
        let results = await withTaskGroup(of: (String, String).self) { group in
            for service in services {
                group.addTask {
                    do {
                        _ = try await connection.request(subjects.ping(service), timeout: timeout)
                        return (service.rawValue, "ok")
                    } catch let error as NatsError where error.code == .noResponders {
                        return (service.rawValue, "not running")
                    } catch {
                        return (service.rawValue, "not answering")
                    }
                }
            }
            var results: [String: String] = [:]
            for await (name, status) in group { results[name] = status }
            return results
        }
        let bucketStates = await bucketResults
        return Report(
            ready: loaded && results.values.allSatisfy { $0 == "ok" } && bucketStates.values.allSatisfy { $0 == "ok" },
            nats: "connected", sharedState: loaded ? "loaded" : "loading", buckets: bucketStates, services: results)
    }

    /// Asks JetStream about each bucket's stream: `ok` when it answers and (on a cluster) the stream
    /// has a leader with a majority of its copies current, so a write would be taken.
    private func bucketStates(_ buckets: [String]) async -> [String: String] {
        await withTaskGroup(of: (String, String).self) { group in
            for bucket in buckets {
                group.addTask {
                    let reply = try? await connection.request(
                        "$JS.API.STREAM.INFO.\(Subjects.streamName(ofBucket: bucket))", timeout: timeout)
                    let answer = reply.flatMap { try? JSONSerialization.jsonObject(with: $0.payload) as? [String: Any] }
                    return (bucket, answer.map(Self.canWrite) == true ? "ok" : "unavailable")
                }
            }
            var states: [String: String] = [:]
            for await (bucket, state) in group { states[bucket] = state }
            return states
        }
    }

    /// Reads a `STREAM.INFO` answer: no error, and either a single server's stream (no `cluster`)
    /// or a leader whose current, online copies (itself included) are a majority.
    static func canWrite(_ info: [String: Any]) -> Bool {
        guard info["error"] == nil else { return false }
        guard let cluster = info["cluster"] as? [String: Any] else { return true }
        guard let leader = cluster["leader"] as? String, !leader.isEmpty else { return false }
        let replicas = cluster["replicas"] as? [[String: Any]] ?? []
        let current = replicas.filter { ($0["current"] as? Bool) == true && ($0["offline"] as? Bool) != true }.count
        return (current + 1) * 2 > replicas.count + 1
    }
}
