import Foundation
import Hummingbird
import NIOCore

/// A real HTTP server on an ephemeral loopback port, for the HTTP driver's tests.
enum TestHTTPServer {
    static let token = "tok-Secret-123456"

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in json(#"{"status":"ok","z":1,"a":{"y":2,"b":3}}"#) }
        router.get("/auth") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(token)" else { return json(#"{"error":"unauthorized"}"#, status: .unauthorized) }
            return json(#"{"authorized":true}"#)
        }
        // A careless endpoint that echoes the caller's credentials.
        router.get("/echo-auth") { request, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain", .init("X-Echo")!: request.headers[.authorization] ?? ""],
                     body: .init(byteBuffer: ByteBuffer(string: "you sent: \(request.headers[.authorization] ?? "nothing")")))
        }
        router.get("/files/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            return json(#"{"id":"\#(id.replacingOccurrences(of: "\"", with: "\\\""))","path":"\#(request.uri.path)","query":"\#(request.uri.query ?? "")"}"#)
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return json("{}")
        }
        router.get("/admin") { _, _ in Response(status: .forbidden) }
        router.get("/redirect") { _, _ in Response(status: .found, headers: [.location: "/health"]) }
        router.get("/redirect-away") { request, _ -> Response in
            // To the same server under another name: another origin, so no token.
            let port = request.head.authority?.split(separator: ":").last.map(String.init) ?? "0"
            return Response(status: .temporaryRedirect, headers: [.location: "http://localhost:\(port)/auth"])
        }
        router.get("/fail") { _, _ in json(#"{"error":"boom"}"#, status: .internalServerError) }
        router.get("/text") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "plain\nlines"))) }
        router.get("/big") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 3 << 20)))
        }
        router.post("/items") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs `body` with the server's base URL (`http://127.0.0.1:PORT`), then stops the server.
    static func with<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        try await LocalHTTPServer.serve(router(), body)
    }
}
