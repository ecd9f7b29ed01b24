import ArgumentParser
import Hummingbird

/// `make bench`'s upstream app: answers any GET with a two-byte body, as little work as an HTTP
/// server can do, so that a route to it measures what the gateway adds.
@main
struct BenchUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tollgate-bench-upstream")

    @Option var port: Int

    func run() async throws {
        let router = Router()
        router.get("/") { _, _ in "ok" }
        router.get("/**") { _, _ in "ok" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
