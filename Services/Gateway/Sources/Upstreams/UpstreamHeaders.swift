import Foundation
import HTTPTypes
import NIOHTTP1
import TollgateContracts

/// The headers an upstream gets and the ones its answer passes back. Going up: the client's own,
/// less the connection's (hop-by-hop), `Host`, every `X-Tollgate-*` (only the gateway says who is
/// calling), `Authorization` unless the route forwards it, and Tollgate's refresh cookie (a
/// credential for Tollgate alone); plus `X-Forwarded-For/-Proto/-Host`, the request id and, on a
/// signed-in route, the caller's identity. Coming back: the upstream's, less the connection's.
enum UpstreamHeaders {
    /// RFC 9110 §7.6.1, and the ones proxies used before it.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]
    /// Set by the gateway alone: what a client sends under these names is dropped.
    static let setByGateway: Set<String> = [
        "host", "content-length", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id",
    ]
    static let refreshCookie = "refresh_token"

    struct Forwarding {
        /// The socket peer's address.
        let peer: String
        /// The peer is one of gateway.yaml's trusted proxies: its `X-Forwarded-*` are believed.
        let peerIsTrustedProxy: Bool
        let requestID: String
        let caller: AccessTokenClaims?
        /// The caller's entitlement while it lasts (nil: no plan).
        let plan: Entitlement?
        /// The signed `X-Tollgate-Assertion` for the caller (signed-in routes).
        let assertion: String?
        let forwardAuthorization: Bool

        init(
            peer: String, peerIsTrustedProxy: Bool, requestID: String, caller: AccessTokenClaims?, plan: Entitlement? = nil,
            assertion: String? = nil, forwardAuthorization: Bool
        ) {
            self.peer = peer
            self.peerIsTrustedProxy = peerIsTrustedProxy
            self.requestID = requestID
            self.caller = caller
            self.plan = plan
            self.assertion = assertion
            self.forwardAuthorization = forwardAuthorization
        }
    }

    static func request(_ incoming: HTTPFields, authority: String?, _ forwarding: Forwarding) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let named = connectionNamed(incoming[values: .connection])
        for field in incoming {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || named.contains(name) || setByGateway.contains(name) || name.hasPrefix("x-tollgate-") { continue }
            if name == "authorization" && !forwarding.forwardAuthorization { continue }
            if name == "cookie" { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        // One Cookie header (RFC 6265 §5.4), however the client's were split.
        if let kept = withoutRefreshCookie(incoming[values: .cookie].joined(separator: "; ")) { headers.add(name: "Cookie", value: kept) }
        let believed = forwarding.peerIsTrustedProxy
        let earlierHops = believed ? incoming[values: HTTPField.Name("X-Forwarded-For")!].joined(separator: ", ") : ""
        headers.add(name: "X-Forwarded-For", value: earlierHops.isEmpty ? forwarding.peer : "\(earlierHops), \(forwarding.peer)")
        headers.add(name: "X-Forwarded-Proto", value: (believed ? incoming[HTTPField.Name("X-Forwarded-Proto")!] : nil) ?? "http")
        if let host = (believed ? incoming[HTTPField.Name("X-Forwarded-Host")!] : nil) ?? authority {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        headers.add(name: "X-Request-ID", value: forwarding.requestID)
        if let caller = forwarding.caller {
            headers.add(name: "X-Tollgate-User-Id", value: caller.sub)
            headers.add(name: "X-Tollgate-Session-Id", value: caller.sid)
            headers.add(name: "X-Tollgate-Role", value: caller.role)
            // Without a plan: no X-Tollgate-Plan, and no features.
            if let plan = forwarding.plan?.plan { headers.add(name: "X-Tollgate-Plan", value: plan) }
            headers.add(name: "X-Tollgate-Features", value: (forwarding.plan?.features ?? []).joined(separator: ","))
        }
        if let assertion = forwarding.assertion { headers.add(name: "X-Tollgate-Assertion", value: assertion) }
        return headers
    }

    static func response(_ incoming: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        let named = connectionNamed(incoming["connection"])
        for (name, value) in incoming {
            let lowered = name.lowercased()
            if hopByHop.contains(lowered) || named.contains(lowered) { continue }
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return fields
    }

    /// Header names a `Connection` header lists: hop-by-hop as well (RFC 9110 §7.6.1).
    private static func connectionNamed(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    /// The `Cookie` value without Tollgate's refresh cookie; nil when nothing is left.
    static func withoutRefreshCookie(_ value: String) -> String? {
        let kept = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { pair in
            !pair.isEmpty && pair.split(separator: "=", maxSplits: 1).first.map(String.init) != refreshCookie
        }
        return kept.isEmpty ? nil : kept.joined(separator: "; ")
    }
}
