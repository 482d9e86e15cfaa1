import Hummingbird
import Logging
import ServiceLifecycle

/// A real HTTP server on 127.0.0.1 (a port the system picks) for the length of one test
/// body: the test HTTP API and the notify receiver both run their routers through it.
enum LocalHTTPServer {
    /// Serves `router`, runs `body` with the server's base URL (`http://127.0.0.1:PORT`), then
    /// stops the server.
    static func serve<R: Sendable>(_ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> R) async throws -> R {
        let quiet = Logger(label: "test-http") { _ in SwiftLogNoOpLogHandler() }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  portContinuation.yield(channel.localAddress?.port ?? 0)
                                  portContinuation.finish()
                              }, logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
