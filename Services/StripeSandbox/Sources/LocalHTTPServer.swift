import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A Hummingbird server for the sandbox and the tests' other stand-ins of internet services (on
/// loopback unless told otherwise): every GET, POST and DELETE goes to one responder, set once the
/// server that answers exists.
public final class LocalHTTPServer: Sendable {
    public typealias Responder = @Sendable (Request) async throws -> Response

    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    /// Boxed in a class: a bare function value read back through `withLock`'s inout comes back
    /// wrapped in one more reabstraction thunk each time, so every request walked a chain as long
    /// as the number of requests before it (measured: 2k requests/s falling to 600).
    private let responder = Mutex<ResponderBox?>(nil)

    private final class ResponderBox: Sendable {
        let call: Responder
        init(_ call: @escaping Responder) { self.call = call }
    }

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    public static func start(label: String, host: String = "127.0.0.1", port: Int = 0) async -> LocalHTTPServer {
        let box = Mutex<LocalHTTPServer?>(nil)
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .delete] {
            router.on("/**", method: method) { request, _ in
                guard let answer = box.withLock({ $0?.responder.withLock { $0 } }) else {
                    return Response(status: .serviceUnavailable)
                }
                return try await answer.call(request)
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let server = LocalHTTPServer(port: await iterator.next() ?? 0, group: group, task: task)
        box.withLock { $0 = server }
        return server
    }

    public func answer(with responder: @escaping Responder) {
        let box = ResponderBox(responder)
        self.responder.withLock { $0 = box }
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
