/// The client's IP for rate limits and logs: the socket peer, unless that peer is a trusted proxy,
/// in which case the right-most `X-Forwarded-For` address that is not itself a trusted proxy.
public struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    public init(trustedProxies: [String]) {
        self.trustedProxies = Set(trustedProxies)
    }

    /// Whether `peer`'s forwarding headers are believed.
    public func trusts(_ peer: String) -> Bool {
        trustedProxies.contains(peer)
    }

    public func resolve(peer: String?, forwardedFor: String?) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !hop.isEmpty && !trustedProxies.contains(hop) {
            return String(hop.prefix(64))
        }
        return peer
    }
}
