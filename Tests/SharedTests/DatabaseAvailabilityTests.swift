import FluentPostgresDriver
import Foundation
import NIOCore
import Testing
import TollgatePersistence

@Suite("Which database failures are 'not now' (503) and which are bugs (500)")
struct DatabaseAvailabilityTests {
    static func serverError(_ state: String) throws -> PostgresError {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(ascii: "C"))
        buffer.writeString(state)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt8(0))
        return .server(try PostgresMessage.Error.parse(from: &buffer))
    }

    @Test("shutting down, starting up, connection failures and too many connections are unavailability",
          arguments: ["57P03", "57P01", "57P02", "08006", "08001", "53300"])
    func unavailable(state: String) throws {
        #expect(DatabaseAvailability.isUnavailable(try Self.serverError(state)))
    }

    @Test("constraint, syntax and data errors are not", arguments: ["23505", "42601", "22P02", "40001"])
    func bugs(state: String) throws {
        #expect(!DatabaseAvailability.isUnavailable(try Self.serverError(state)))
    }

    @Test("a closed connection, a pool that cannot connect, a refused socket")
    func transport() {
        #expect(DatabaseAvailability.isUnavailable(PostgresError.connectionClosed))
        #expect(DatabaseAvailability.isUnavailable(ConnectionPoolTimeoutError.connectionRequestTimeout))
        #expect(DatabaseAvailability.isUnavailable(IOError(errnoCode: ECONNREFUSED, reason: "connect")))
        #expect(DatabaseAvailability.isUnavailable(ChannelError.connectTimeout(.seconds(1))))
        #expect(!DatabaseAvailability.isUnavailable(PostgresError.protocol("garbled")))
        #expect(!DatabaseAvailability.isUnavailable(CancellationError()))
    }
}
