/// Request ids: a random UUID (version 4) in lower-case text, formatted by hand because Foundation's
/// `uuidString` goes through `NSString` and showed up in the gateway's profile.
enum RequestID {
    private static let hex = Array("0123456789abcdef".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        bytes.0 = (bytes.0 & ~0xF000) | 0x4000  // version 4
        bytes.1 = (bytes.1 & ~(0xC000_0000_0000_0000)) | 0x8000_0000_0000_0000  // RFC 4122 variant
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, word) in [bytes.0, bytes.1].enumerated() {
            for nibble in (0..<16).reversed() {
                let position = index * 16 + (15 - nibble)
                if position == 8 || position == 12 || position == 16 || position == 20 { text.append(UInt8(ascii: "-")) }
                text.append(hex[Int((word >> (UInt64(nibble) * 4)) & 0xF)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Keeps a well-formed incoming `X-Request-ID` (for tracing across systems), or makes one.
    static func keepOrMake(_ header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count), header.utf8.allSatisfy(isAllowed) {
            return header
        }
        return make()
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}
