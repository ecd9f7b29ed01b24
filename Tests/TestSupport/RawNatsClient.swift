import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Speaks NATS' text protocol over a plain socket, without libnats and without credentials: what
/// an outsider who reaches the port can do.
public enum RawNatsClient {
    /// Connects anonymously, sends `CONNECT {}` and a `PING`, and returns the server's first line
    /// after its `INFO` (`PONG` if it let us in, `-ERR 'Authorization Violation'` if not).
    public static func anonymousConnect(port: Int) throws -> String {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw DeadlineExceeded(what: "a socket") }
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw DeadlineExceeded(what: "a connection to \(port)") }
        var lines = LineReader(socketFD: socketFD)
        guard let info = lines.next(), info.hasPrefix("INFO ") else { throw DeadlineExceeded(what: "the server's INFO") }
        let hello = "CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"raw\",\"version\":\"0\"}\r\nPING\r\n"
        _ = hello.withCString { send(socketFD, $0, strlen($0), 0) }
        return lines.next() ?? "(connection closed)"
    }

    private struct LineReader {
        let socketFD: Int32
        var buffer: [UInt8] = []

        mutating func next() -> String? {
            while true {
                if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...end)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(socketFD, &chunk, chunk.count, 0)
                guard count > 0 else { return nil }
                buffer += chunk[..<count]
            }
        }
    }
}
