import Foundation

/// The development transport: one `.eml` file per message under the mail folder, named by message
/// id, so a redelivered message overwrites its own file instead of appearing twice.
public struct FileTransport: MailTransport {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(_ message: MimeMessage, from sender: String, to recipient: String) async throws {
        do {
            try write(message)
        } catch {
            throw MailDeliveryError.transient("cannot write to \(directory): \(error)")
        }
    }

    public func shutdown() async {}

    private func write(_ message: MimeMessage) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = message.messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "@" || $0 == "." }
        let finalURL = URL(fileURLWithPath: "\(directory)/\(name).eml")
        // Write aside, then rename: a reader never sees half a message.
        let temporaryURL = URL(fileURLWithPath: "\(directory)/.\(name).tmp")
        try Data(message.render().utf8).write(to: temporaryURL)
        if FileManager.default.fileExists(atPath: finalURL.path) {
            _ = try FileManager.default.replaceItemAt(finalURL, withItemAt: temporaryURL)
        } else {
            try FileManager.default.moveItem(at: temporaryURL, to: finalURL)
        }
    }
}
