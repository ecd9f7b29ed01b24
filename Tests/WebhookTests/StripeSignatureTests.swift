import Foundation
import Testing
import TollgateSecurity

@testable import WebhookService

@Suite("Stripe-Signature verification")
struct StripeSignatureTests {
    static let secret = "whsec_test_secret"
    static let payload = Data(#"{"id":"evt_1","type":"invoice.paid"}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let t: Int64 = 1_800_000_000

    static func verify(_ header: String?, secrets: [String] = [secret], payload: Data = payload, at: Date = now) -> StripeSignature.Problem? {
        do {
            try StripeSignature(secrets: secrets).verify(payload: payload, header: header, now: at)
            return nil
        } catch {
            return error
        }
    }

    @Test("a header signed as Stripe signs verifies; the signature is HMAC-SHA256 of t.body with the secret as is")
    func good() {
        let header = StripeSignature.header(payload: Self.payload, secret: Self.secret, timestamp: Self.t)
        #expect(Self.verify(header) == nil)
        #expect(Self.verify(header.uppercased().replacingOccurrences(of: "T=", with: "t=").replacingOccurrences(of: "V1=", with: "v1=")) == .noSignatures,
            "the same signature in upper-case hex is not Stripe's")
        // Python: hmac.new(b"whsec_test_secret", b'1800000000.{"id":"evt_1","type":"invoice.paid"}', sha256).hexdigest()
        #expect(header == "t=1800000000,v1=f19b688b6c808f2a3c035f501cb82562fd2eb237fd8c2e2df4503a54f42345fb")
    }

    @Test("any v1 may match; v0 and unknown schemes are ignored; several secrets while rotating")
    func rotation() {
        let good = String(StripeSignature.header(payload: Self.payload, secret: Self.secret, timestamp: Self.t).split(separator: "v1=")[1])
        let other = String(StripeSignature.header(payload: Self.payload, secret: "whsec_other", timestamp: Self.t).split(separator: "v1=")[1])
        #expect(Self.verify("t=\(Self.t),v1=\(other),v1=\(good),v0=\(other)") == nil)
        #expect(Self.verify("t=\(Self.t),v0=\(good)") == .noSignatures, "v0 is never trusted")
        #expect(Self.verify("t=\(Self.t),v1=\(other)", secrets: ["whsec_old", "whsec_other"]) == nil)
    }

    @Test("refusals: missing, malformed, wrong secret, changed body, a timestamp beyond the tolerance either way")
    func refusals() {
        let header = StripeSignature.header(payload: Self.payload, secret: Self.secret, timestamp: Self.t)
        #expect(Self.verify(nil) == .missingHeader)
        #expect(Self.verify("") == .missingHeader)
        #expect(Self.verify("v1=abc") == .malformedHeader)
        #expect(Self.verify("t=soon,v1=00") == .malformedHeader)
        #expect(Self.verify(header, secrets: ["whsec_wrong"]) == .mismatch)
        #expect(Self.verify(header, payload: Data(#"{"id":"evt_2","type":"invoice.paid"}"#.utf8)) == .mismatch)
        #expect(Self.verify(header, at: Self.now.addingTimeInterval(301)) == .tooOld)
        #expect(Self.verify(header, at: Self.now.addingTimeInterval(299)) == nil)
        #expect(Self.verify(header, at: Self.now.addingTimeInterval(-299)) == nil, "a clock a little behind is tolerated")
        #expect(Self.verify(header, at: Self.now.addingTimeInterval(-301)) == .inTheFuture)
        #expect(Self.verify(header, at: Self.now.addingTimeInterval(-3600)) == .inTheFuture, "an hour ahead is refused")
    }

    @Test("constant-time comparison compares every byte and length")
    func comparison() {
        #expect(StripeSignature.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!StripeSignature.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!StripeSignature.constantTimeEqual([1, 2], [1, 2, 3]))
        #expect(StripeSignature.hexBytes(String(repeating: "0f", count: 32)) == Array(repeating: 15, count: 32))
        #expect(StripeSignature.hexBytes("zz" + String(repeating: "0", count: 62)) == nil)
        #expect(StripeSignature.hexBytes(String(repeating: "0F", count: 32)) == nil, "Stripe's hex is lower-case, as the SDKs compare it")
        let bytes: [UInt8] = [0x00, 0x0f, 0x10, 0xa5, 0xff] + Array(repeating: 0x7e, count: 27)
        #expect(Hex.encode(bytes) == "000f10a5ff" + String(repeating: "7e", count: 27))
        #expect(StripeSignature.hexBytes(Hex.encode(bytes)) == bytes)
    }
}
