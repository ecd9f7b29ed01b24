import Foundation
import TollgateConfig
import TollgateContracts
import TollgateHTTPServer
import TollgateSecurity

/// The gateway's configuration from environment variables; routes come from `routesFile`.
public struct GatewayConfig: Sendable {
    public var common: CommonConfig
    public var host: String
    public var port: Int
    public var routesFile: String
    /// Deadlines for slow and idle clients.
    public var timeouts: HTTPTimeouts
    /// `TOLLGATE_RATE_LIMIT_SHARE_MS`: how often a gateway tells the others what it admitted; the
    /// overshoot of a limit across gateways is what they admit within about this long.
    public var rateLimitShareInterval: Duration
    /// `TOLLGATE_QUOTA_SAVE_MS`: how often this gateway writes its quota counts to the usage bucket;
    /// a crash loses at most this long of its counting (the other gateways heard it sooner).
    public var quotaSaveInterval: Duration = .seconds(1)
    /// `TOLLGATE_GATEWAY_INSTANCE`: this gateway's name in the usage bucket's keys, unique among the
    /// gateways and kept across restarts so a restarted gateway carries on its own counts (default:
    /// the host name and HTTP port). Letters, digits, - and _.
    public var instance: String = ""
    /// `TOLLGATE_ASSERTION_PRIVATE_KEY` (or the credentials folder's file): what the gateway signs
    /// `X-Tollgate-Assertion` with on upstream routes. Needed once gateway.yaml has one.
    public var assertionPrivateKey: SecretText?

    public static func from(_ environment: [String: String]) throws(ConfigurationError) -> GatewayConfig {
        var reader = EnvironmentReader(environment)
        let common = CommonConfig.read(&reader)
        var config = GatewayConfig(
            common: common,
            host: reader.string("TOLLGATE_HTTP_HOST", default: "0.0.0.0"),
            port: reader.port("TOLLGATE_HTTP_PORT", default: 8080),
            routesFile: reader.string("TOLLGATE_GATEWAY_CONFIG", default: "gateway-config/gateway.yaml"),
            timeouts: HTTPTimeouts.read(&reader),
            rateLimitShareInterval: .milliseconds(reader.int("TOLLGATE_RATE_LIMIT_SHARE_MS", default: 2, in: 1...10_000)))
        config.quotaSaveInterval = .milliseconds(reader.int("TOLLGATE_QUOTA_SAVE_MS", default: 1000, in: 10...60_000))
        let host = ProcessInfo.processInfo.hostName.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        config.instance = reader.string("TOLLGATE_GATEWAY_INSTANCE", default: "\(String(host.prefix(100)))-\(config.port)")
        if !QuotaUsageKey.isToken(config.instance) {
            reader.addProblem("TOLLGATE_GATEWAY_INSTANCE: 1 to 128 letters, digits, - or _")
        }
        config.assertionPrivateKey = reader.secret("TOLLGATE_ASSERTION_PRIVATE_KEY", defaultFile: common.credentials.assertionPrivateKey)
        if let key = config.assertionPrivateKey, (try? AssertionKeys.privateKey(key.value)) == nil {
            reader.addProblem("\(key.source): not an Ed25519 private key in base64url")
        }
        try reader.finish()
        return config
    }
}
