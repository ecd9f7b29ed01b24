import Foundation
@testable import GatewayService
import Testing

@Suite("Readiness: whether JetStream would take a write to a bucket")
struct ReadinessTests {
    static func info(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("a single server's stream, or a leader with a majority of current copies, can write; anything less cannot")
    func canWrite() throws {
        #expect(Readiness.canWrite(try Self.info(#"{"config":{},"state":{}}"#)))
        #expect(Readiness.canWrite(try Self.info(#"{"cluster":{"leader":"n1"}}"#)), "one server: no replicas listed")
        let healthy = #"{"cluster":{"leader":"n1","replicas":[{"name":"n2","current":true},{"name":"n3","current":true}]}}"#
        #expect(Readiness.canWrite(try Self.info(healthy)))
        let oneDown = #"{"cluster":{"leader":"n1","replicas":[{"name":"n2","current":true},{"name":"n3","current":false,"offline":true}]}}"#
        #expect(Readiness.canWrite(try Self.info(oneDown)), "two of three is a quorum")
        let twoDown = #"{"cluster":{"leader":"n1","replicas":[{"name":"n2","current":false,"offline":true},{"name":"n3","current":false}]}}"#
        #expect(Readiness.canWrite(try Self.info(twoDown)) == false, "the leader alone is no quorum")
        let lagging = #"{"cluster":{"leader":"n1","replicas":[{"name":"n2","current":true,"offline":true},{"name":"n3","current":false}]}}"#
        #expect(Readiness.canWrite(try Self.info(lagging)) == false, "offline wins over a stale current")
        #expect(Readiness.canWrite(try Self.info(#"{"cluster":{"replicas":[]}}"#)) == false, "no leader")
        #expect(Readiness.canWrite(try Self.info(#"{"cluster":{"leader":""}}"#)) == false, "no leader")
        #expect(Readiness.canWrite(try Self.info(#"{"error":{"code":503,"err_code":10008}}"#)) == false)
    }
}
