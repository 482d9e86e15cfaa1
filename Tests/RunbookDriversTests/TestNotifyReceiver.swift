import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP receiver on an ephemeral loopback port for the notify tests: every `POST
/// /<name>` is recorded (headers and body bytes), and answered from a script per name (the
/// nth request gets the nth reply, the last one repeats; unscripted names get `200 ok`).
final class TestNotifyReceiver: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: [String: String] = [:]
        var body: String = "ok"
    }

    struct Received: Sendable {
        var path: String
        /// By lower-cased name.
        var headers: [String: String]
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    actor Inbox {
        var received: [Received] = []
        var counts: [String: Int] = [:]
        let script: [String: [Reply]]
        init(script: [String: [Reply]]) { self.script = script }

        func take(_ r: Received) -> Reply {
            received.append(r)
            let n = counts[r.path, default: 0]
            counts[r.path] = n + 1
            guard let replies = script[r.path], !replies.isEmpty else { return Reply(status: .ok) }
            return replies[min(n, replies.count - 1)]
        }
    }

    let inbox: Inbox

    init(script: [String: [Reply]] = [:]) { inbox = Inbox(script: script) }

    /// What arrived at `/name`, in order.
    func received(_ name: String) async -> [Received] { await inbox.received.filter { $0.path == name } }
    /// Everything that arrived.
    func all() async -> [Received] { await inbox.received }

    /// Runs `body` with the receiver's base URL (`http://127.0.0.1:PORT`), then stops it.
    func with<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        let quiet = Logger(label: "test-notify") { _ in SwiftLogNoOpLogHandler() }
        let router = Router()
        let inbox = self.inbox
        router.post("/:name") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let reply = await inbox.take(Received(path: context.parameters.get("name") ?? "", headers: headers,
                                                  body: String(buffer: bytes)))
            var response = Response(status: reply.status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: reply.body)))
            for (k, v) in reply.headers { if let name = HTTPField.Name(k) { response.headers[name] = v } }
            return response
        }
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
