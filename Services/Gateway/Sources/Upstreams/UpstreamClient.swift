import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// The HTTP client upstream routes share: connections pooled and kept per upstream, redirects and
/// compressed bodies passed to the client as they are, closed when the gateway stops.
struct UpstreamClient: Service {
    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
