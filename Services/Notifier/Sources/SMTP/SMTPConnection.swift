import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import Synchronization

/// One conversation with an SMTP server: greeting, EHLO, STARTTLS, AUTH, then any number of
/// messages, one at a time. Used by one task at a time (the transport's pool sees to that).
final class SMTPConnection: Sendable {
    let channel: any Channel
    private let replies: NIOLoopBound<SMTPReplyHandler>
    private let timeout: TimeAmount
    let lastUsed: Mutex<ContinuousClock.Instant>

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, timeout: TimeAmount) {
        self.channel = channel
        self.replies = replies
        self.timeout = timeout
        self.lastUsed = Mutex(ContinuousClock.now)
    }

    var isOpen: Bool { channel.isActive }

    /// Connects and gets the connection ready for mail (TLS and AUTH as the settings ask).
    static func open(_ settings: SMTPSettings, tls: NIOSSLContext, group: any EventLoopGroup) async throws
        -> SMTPConnection
    {
        let timeout = TimeAmount.nanoseconds(settings.commandTimeout.nanosecondsValue)
        let implicitTLS = settings.security == .implicitTLS
        let host = settings.host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw MailDeliveryError.transient("cannot connect to \(settings.host):\(settings.port): \(error)")
        }
        let replies = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = SMTPConnection(channel: channel, replies: replies, timeout: timeout)
        do {
            try await connection.handshake(settings, tls: tls)
        } catch MailDeliveryError.permanent(let reason) {
            // A refusal before any message (greeting, EHLO, AUTH) is about the set-up, not about the
            // message: retry it (an operator may be fixing the credentials) rather than discard mail.
            connection.close()
            throw MailDeliveryError.transient("connection set-up refused: \(reason)")
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func handshake(_ settings: SMTPSettings, tls: NIOSSLContext) async throws {
        try await expect("greeting", try await exchange(nil), 220)
        var extensions = try await hello(settings.heloName)
        var encrypted = settings.security == .implicitTLS
        if case .startTLS(let required) = settings.security {
            if extensions.keys.contains("STARTTLS") {
                try await expect("STARTTLS", try await exchange("STARTTLS"), 220)
                let host = settings.host
                try await channel.eventLoop.submit { [channel] in
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first)
                }.get()
                encrypted = true
                extensions = try await hello(settings.heloName)
            } else if required {
                throw MailDeliveryError.transient("the server does not offer STARTTLS, and tls=required")
            }
        }
        if let username = settings.username {
            guard encrypted || settings.isLoopback else {
                throw MailDeliveryError.transient("refusing to send the SMTP password over an unencrypted connection")
            }
            try await authenticate(username, settings.password ?? "", offered: extensions["AUTH"] ?? [])
        }
    }

    /// EHLO; returns the extensions the server lists, by keyword, with their parameters.
    private func hello(_ name: String) async throws -> [String: [String]] {
        let reply = try await exchange("EHLO \(name)")
        try await expect("EHLO", reply, 250)
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            extensions[keyword] = words.dropFirst().map { $0.uppercased() }
        }
        return extensions
    }

    private func authenticate(_ username: String, _ password: String, offered: [String]) async throws {
        if offered.contains("PLAIN") || !offered.contains("LOGIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try await expect("AUTH PLAIN", try await exchange("AUTH PLAIN \(token)"), 235)
        } else {
            try await expect("AUTH LOGIN", try await exchange("AUTH LOGIN"), 334)
            try await expect("AUTH LOGIN", try await exchange(Data(username.utf8).base64EncodedString()), 334)
            try await expect("AUTH LOGIN", try await exchange(Data(password.utf8).base64EncodedString()), 235)
        }
    }

    /// Sends one message. `data` is the whole RFC 5322 message with CRLF line ends.
    func send(from sender: String, to recipient: String, data: String) async throws {
        for address in [sender, recipient] where address.contains(where: { "\r\n<> ".contains($0) }) || address.isEmpty {
            throw MailDeliveryError.permanent("not a usable address: \(address.debugDescription)")
        }
        do {
            try await expect("MAIL FROM", try await exchange("MAIL FROM:<\(sender)>"), 250)
            let rcpt = try await exchange("RCPT TO:<\(recipient)>")
            guard rcpt.code == 250 || rcpt.code == 251 else { throw MailDeliveryError.rejected("RCPT TO", rcpt) }
            try await expect("DATA", try await exchange("DATA"), 354)
            try await expect("message", try await exchange(Self.dotStuffed(data) + "."), 250)
            lastUsed.withLock { $0 = ContinuousClock.now }
        } catch let error as MailDeliveryError {
            // A refused message leaves the connection usable once the transaction is reset.
            if isOpen, (try? await exchange("RSET"))?.code != 250 { close() }
            throw error
        }
    }

    /// Says goodbye politely, then closes.
    func quit() async {
        _ = try? await exchange("QUIT")
        close()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Writes a command (or nothing, for the greeting) and waits for the reply to it.
    private func exchange(_ command: String?) async throws -> SMTPReply {
        let timeout = self.timeout
        return try await channel.eventLoop.flatSubmit { [channel, replies] in
            let reply = replies.value.nextReply(context: channel, timeout: timeout)
            if let command {
                var buffer = channel.allocator.buffer(capacity: command.utf8.count + 2)
                buffer.writeString(command)
                buffer.writeString("\r\n")
                channel.writeAndFlush(buffer, promise: nil)
            }
            return reply
        }.get()
    }

    private func expect(_ step: String, _ reply: SMTPReply, _ code: Int) async throws {
        guard reply.code == code else { throw MailDeliveryError.rejected(step, reply) }
    }

    /// RFC 5321 4.5.2: a line starting with "." gets another; the message ends with CRLF.
    static func dotStuffed(_ data: String) -> String {
        // One pass over the bytes: splitting into lines and joining them again cost more than the
        // rest of sending a message.
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var stuffed: [UInt8] = []
        stuffed.reserveCapacity(data.utf8.count + 16)
        var previous: (UInt8, UInt8) = (cr, lf)
        for byte in data.utf8 {
            if byte == dot && previous == (cr, lf) { stuffed.append(dot) }
            stuffed.append(byte)
            previous = (previous.1, byte)
        }
        if previous != (cr, lf) || stuffed.isEmpty { stuffed += [cr, lf] }
        return String(decoding: stuffed, as: UTF8.self)
    }

    /// SNI takes host names only, not addresses.
    private static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}

extension Duration {
    var nanosecondsValue: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
