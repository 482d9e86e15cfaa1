import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
        return try await LocalHTTPServer.serve(router, body)
    }
}
