import Foundation

/// Reads the base64 parts of a message the Notifier wrote, for assertions on their text.
public enum MimeParts {
    public static func decodedBodies(of message: String) -> [String] {
        let sections = message.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").dropFirst()
        return sections.compactMap { section in
            let encoded = section.components(separatedBy: "\r\n--").first?.replacingOccurrences(of: "\r\n", with: "") ?? ""
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
