import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Delivers over SMTP, reusing connections: each delivery borrows an idle connection (or opens
/// one), and gives it back when the message was accepted. Connections idle longer than the idle
/// timeout are closed. A reused connection the server has dropped meanwhile costs one reconnect,
/// not a failed delivery.
final class SMTPTransport: MailTransport {
    private let settings: SMTPSettings
    private let tls: NIOSSLContext
    private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private let idle = Mutex<[SMTPConnection]>([])
    private let logger: Logger

    init(settings: SMTPSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        self.tls = try NIOSSLContext(configuration: configuration)
    }

    func deliver(_ message: MimeMessage, from sender: String, to recipient: String) async throws {
        let data = message.render()
        if let reused = borrow() {
            do {
                try await send(data, from: sender, to: recipient, on: reused)
                return
            } catch MailDeliveryError.transient(let reason) where !reused.isOpen {
                logger.debug("pooled SMTP connection was gone; reconnecting", metadata: ["reason": "\(reason)"])
            }
        }
        try await send(data, from: sender, to: recipient, on: try await SMTPConnection.open(settings, tls: tls, group: group))
    }

    /// Sends on `connection`, then returns it to the pool whatever happened (closed ones are dropped).
    private func send(_ data: String, from sender: String, to recipient: String, on connection: SMTPConnection)
        async throws
    {
        defer { giveBack(connection) }
        try await connection.send(from: sender, to: recipient, data: data)
    }

    func shutdown() async {
        let connections = idle.withLock { all in
            defer { all = [] }
            return all
        }
        for connection in connections { await connection.quit() }
    }

    /// The most recently used live connection; stale ones are closed on the way.
    private func borrow() -> SMTPConnection? {
        let limit = ContinuousClock.now - settings.idleTimeout
        let (fresh, stale) = idle.withLock { all -> (SMTPConnection?, [SMTPConnection]) in
            let stale = all.filter { !$0.isOpen || $0.lastUsed.withLock { $0 } < limit }
            all.removeAll { connection in stale.contains { $0 === connection } }
            return (all.popLast(), stale)
        }
        for connection in stale { Task { await connection.quit() } }
        return fresh
    }

    private func giveBack(_ connection: SMTPConnection) {
        guard connection.isOpen else { return }
        idle.withLock { $0.append(connection) }
        let idleTimeout = settings.idleTimeout
        Task { [weak self] in
            try? await Task.sleep(for: idleTimeout)
            await self?.closeIfIdle(connection)
        }
    }

    /// Closes `connection` if it is still in the pool and has not been used for the idle timeout.
    private func closeIfIdle(_ connection: SMTPConnection) async {
        let limit = ContinuousClock.now - settings.idleTimeout
        let expired = idle.withLock { all -> Bool in
            guard let index = all.firstIndex(where: { $0 === connection }),
                connection.lastUsed.withLock({ $0 }) <= limit
            else { return false }
            all.remove(at: index)
            return true
        }
        if expired { await connection.quit() }
    }
}
