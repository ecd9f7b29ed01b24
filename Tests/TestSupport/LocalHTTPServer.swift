import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A Hummingbird server on loopback for the stand-ins of internet services: every GET, POST and
/// DELETE goes to one responder, set once the stand-in that answers exists.
final class LocalHTTPServer: Sendable {
    typealias Responder = @Sendable (Request) async throws -> Response

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let responder = Mutex<Responder?>(nil)

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    static func start(label: String, port: Int = 0) async -> LocalHTTPServer {
        let box = Mutex<LocalHTTPServer?>(nil)
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .delete] {
            router.on("/**", method: method) { request, _ in
                guard let answer = box.withLock({ $0?.responder.withLock { $0 } }) else {
                    return Response(status: .serviceUnavailable)
                }
                return try await answer(request)
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let server = LocalHTTPServer(port: await iterator.next() ?? 0, group: group, task: task)
        box.withLock { $0 = server }
        return server
    }

    func answer(with responder: @escaping Responder) {
        self.responder.withLock { $0 = responder }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
