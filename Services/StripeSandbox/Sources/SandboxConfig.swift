import Foundation
import TollgateConfig

/// `tollgate-stripe-sandbox`'s configuration, from the same environment as `make run`.
public struct SandboxConfig: Sendable {
    /// `TOLLGATE_DATA_DIR` (`.data`): the sandbox keeps its state in `stripe-sandbox/` there.
    public var dataDirectory: String
    /// `TOLLGATE_STRIPE_SANDBOX_HOST` (127.0.0.1: reachable from this machine only).
    public var host: String
    /// `TOLLGATE_STRIPE_SANDBOX_PORT` (8082).
    public var port: Int
    /// `TOLLGATE_STRIPE_SANDBOX_PUBLIC_URL`: where a browser reaches the hosted pages
    /// (`http://localhost:PORT`).
    public var publicURL: String
    /// `TOLLGATE_STRIPE_SANDBOX_WEBHOOK_URL`: where events go
    /// (`http://127.0.0.1:$TOLLGATE_WEBHOOK_PORT/billing/stripe/webhook`).
    public var webhook: (host: String, port: Int, path: String)

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> SandboxConfig {
        var reader = EnvironmentReader(environment)
        let port = reader.port("TOLLGATE_STRIPE_SANDBOX_PORT", default: 8082)
        let webhookPort = reader.port("TOLLGATE_WEBHOOK_PORT", default: 8081)
        let webhookURL = reader.url(
            "TOLLGATE_STRIPE_SANDBOX_WEBHOOK_URL", default: "http://127.0.0.1:\(webhookPort)/billing/stripe/webhook", schemes: ["http"])
        let parts = URLComponents(string: webhookURL)
        let config = SandboxConfig(
            dataDirectory: reader.string("TOLLGATE_DATA_DIR", default: ".data"),
            host: reader.string("TOLLGATE_STRIPE_SANDBOX_HOST", default: "127.0.0.1"),
            port: port,
            publicURL: reader.url("TOLLGATE_STRIPE_SANDBOX_PUBLIC_URL", default: "http://localhost:\(port)", schemes: ["http", "https"]),
            webhook: (parts?.host ?? "127.0.0.1", parts?.port ?? 80, (parts?.path).flatMap { $0.isEmpty ? nil : $0 } ?? "/"))
        try reader.finish()
        return config
    }

    /// Where `advance` reaches the sandbox: its own address, or loopback when it listens on all.
    public var clientHost: String {
        host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
    }
}

extension StripeSandbox {
    /// Where events go: any host, port and path (plain HTTP).
    public func deliverEvents(host: String, port: Int, path: String) {
        deliverEvents(to: .init(host: host, port: port, path: path))
    }
}
