import Crypto
import TollgateSecurity
import Foundation

/// Checks `Stripe-Signature` the way Stripe's libraries do: HMAC-SHA256 of `t.body` with each
/// endpoint secret (several during rotation), any `v1` may match, constant-time comparison,
/// other schemes (`v0`) ignored, timestamps further than the tolerance from now refused (in the
/// past, as the SDKs do, and in the future: a timestamp ahead of the clock is not one Stripe made
/// now). Signatures are lower-case hex, as Stripe writes them and the SDKs compare them.
public struct StripeSignature: Sendable {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case missingHeader
        case malformedHeader
        case noSignatures
        case tooOld
        case inTheFuture
        case mismatch

        public var description: String {
            switch self {
            case .missingHeader: "Missing Stripe-Signature header"
            case .malformedHeader: "Unreadable Stripe-Signature header"
            case .noSignatures: "No signatures found with expected scheme"
            case .tooOld: "Timestamp outside the tolerance zone"
            case .inTheFuture: "Timestamp in the future, outside the tolerance zone"
            case .mismatch: "No signatures found matching the expected signature for payload"
            }
        }
    }

    let secrets: [SymmetricKey]
    let tolerance: TimeInterval

    public init(secrets: [String], tolerance: TimeInterval = 300) {
        self.secrets = secrets.map { SymmetricKey(data: Data($0.utf8)) }
        self.tolerance = tolerance
    }

    public func verify(payload: some DataProtocol, header: String?, now: Date = Date()) throws(Problem) {
        guard let header, !header.isEmpty else { throw .missingHeader }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            if key == "t" {
                guard let parsed = Int64(value) else { throw .malformedHeader }
                timestamp = parsed
            } else if key == "v1", let bytes = Self.hexBytes(value) {
                signatures.append(bytes)
            }
        }
        guard let timestamp else { throw .malformedHeader }
        guard !signatures.isEmpty else { throw .noSignatures }
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: payload)
        let matches = secrets.contains { secret in
            let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: secret))
            return signatures.contains { Self.constantTimeEqual($0, expected) }
        }
        guard matches else { throw .mismatch }
        if tolerance > 0 {
            let age = now.timeIntervalSince1970 - Double(timestamp)
            if age > tolerance { throw .tooOld }
            if -age > tolerance { throw .inTheFuture }
        }
    }

    /// `t=…,v1=…` for `payload`, signed with `secret` (for tests and the benchmark, as Stripe signs).
    public static func header(payload: some DataProtocol, secret: String, timestamp: Int64) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: payload)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + Hex.encode(code)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
