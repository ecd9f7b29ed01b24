import Foundation
import TollgateContracts
import TollgateMessaging
import TollgateServiceKit

/// `GET /readyz`: NATS is connected and every service answers its ping.
public struct Readiness: Sendable {
    let connection: NatsConnection
    let tokens: TokenState
    let entitlements: EntitlementState
    let subjects: Subjects
    let services: [ServiceName]
    let timeout: Duration

    public struct Report: Encodable, Sendable {
        public let ready: Bool
        public let nats: String
        /// Signing keys, revocations and entitlements read from NATS at least once.
        public let sharedState: String
        public let services: [String: String]
    }

    public func check() async -> Report {
        let loaded = [subjects.jwksBucket, subjects.revocationsBucket].allSatisfy(tokens.isLoaded) && entitlements.isLoaded
        guard connection.isConnected else {
            return Report(
                ready: false, nats: "disconnected", sharedState: loaded ? "loaded" : "loading",
                services: Dictionary(uniqueKeysWithValues: services.map { ($0.rawValue, "unknown") }))
        }
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
        return Report(
            ready: loaded && results.values.allSatisfy { $0 == "ok" }, nats: "connected",
            sharedState: loaded ? "loaded" : "loading", services: results)
    }
}
