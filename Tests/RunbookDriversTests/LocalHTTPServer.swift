import Dispatch
import Hummingbird
import Logging
import ServiceLifecycle

/// A real HTTP server on 127.0.0.1 (a port the system picks) for the length of one test
/// body: the test HTTP API and the notify receiver both run their routers through it.
///
/// The server's tasks run on a thread of their own, not on Swift's cooperative pool: the
/// end-to-end tests wait for child processes synchronously, which holds pool threads (two on
/// two cores), and a `runbook` posting to this server must get its answer meanwhile, not a
/// timeout and a retry that the receiver would then count twice.
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
            tasks.addTask(executorPreference: OwnThreadExecutor()) { try await group.run() }
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

/// Runs jobs on a serial dispatch queue: a thread outside the cooperative pool. The server's
/// child tasks (one per connection) and the actors they call inherit it.
final class OwnThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "local-http-server")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
