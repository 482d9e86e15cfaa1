import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import PostgresURLKit
public import RunbookCore
import Synchronization

/// Runs `http` steps with one AsyncHTTPClient `HTTPClient` for the whole run, created on the
/// first HTTP step (so a run without HTTP steps sets up nothing, and TLS is set up only for an
/// https URL). Call ``shutdown()`` at the end of the run.
///
/// * Redirects are not followed unless the step says `follow_redirects` (then up to 5, and the
///   bearer token is sent only while the redirect stays on the same scheme, host and port).
/// * `auth: bearer` sends `Authorization: Bearer <env api.token>`, and only to the environment's
///   API origin (scheme, host and port of `api.url`): a step that would send it anywhere else
///   fails before connecting. The token never appears in the result, excerpt or an error (it is
///   masked even when the server echoes it).
/// * The body is kept up to `bodyLimit` bytes (1 MiB by default); `truncated` says when more came.
/// * `result`: `status`, `headers` (lower-cased names, repeated ones joined with ", "), `body`,
///   `json` (parsed, keys in order, when the content type says JSON or the body parses; else
///   null), `truncated`, `url`, `elapsed_ms`. `succeeded`: the status is in `expect.status`
///   when given, else 2xx.
/// * Connection refused, DNS failure, timeout: a `DriverError` naming the URL.
public final class HTTPDriver: StepDriver, Sendable {
    enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    /// Bytes of the body kept in `result.body`.
    public let bodyLimit: Int
    /// TCP connect timeout.
    public let connectTimeout: Duration
    /// Redirects followed at most, when a step allows them.
    public let maxRedirects: Int
    private let state = Mutex(State.idle)
    private let eventLoops: DriverEventLoops

    /// `eventLoops`: the run's (see ``RunDrivers``), else NIO's singleton group.
    public init(bodyLimit: Int = 1 << 20, connectTimeout: Duration = .seconds(5), maxRedirects: Int = 5,
                eventLoops: DriverEventLoops = .singleton)
    {
        self.eventLoops = eventLoops
        self.bodyLimit = bodyLimit
        self.connectTimeout = connectTimeout
        self.maxRedirects = maxRedirects
    }

    /// Shuts the client down, when one was created (idempotent).
    public func shutdown() async {
        let client: HTTPClient? = state.withLock { state in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }

    func client() throws(DriverError) -> HTTPClient {
        let connect = TimeAmount.milliseconds(connectTimeout.milliseconds)
        let outcome: Result<HTTPClient, DriverError> = state.withLock { state in
            switch state {
            case .running(let client): return .success(client)
            case .shutDown: return .failure(DriverError("the HTTP driver was already shut down"))
            case .idle:
                var configuration = HTTPClient.Configuration()
                configuration.redirectConfiguration = .disallow
                configuration.timeout = .init(connect: connect)
                // A service that refuses connections fails the step now, not after the connect timeout.
                configuration.connectionPool.retryConnectionEstablishment = false
                let client = HTTPClient(eventLoopGroup: eventLoops.group, configuration: configuration)
                state = .running(client)
                return .success(client)
            }
        }
        return try outcome.get()
    }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .http(let http) = command else { throw DriverError("the http driver got a \(command.kind.rawValue) command") }
        let step = context.stepID
        if context.kind == .check, !["GET", "HEAD"].contains(http.method.uppercased()) {
            throw DriverError(.refused, "step '\(step)': a check may only GET or HEAD, not \(http.method): make it an action")
        }
        var token: String?
        if http.bearer {
            guard let t = context.environment.apiToken else {
                let variable = context.environment.unsetVariables["api.token"] ?? "ETL_API_TOKEN"
                throw DriverError(.configuration, "step '\(step)': api.token is empty: set \(variable)")
            }
            // The token belongs to the environment's API: anywhere else, nothing is sent.
            guard let api = context.environment.apiURL, !api.isEmpty else {
                throw DriverError(.configuration, "step '\(step)': auth: bearer needs the environment's api.url (the token is sent only to that origin); nothing was sent")
            }
            let target = Self.origin(of: http.url)
            guard target == Self.origin(of: api) else {
                throw DriverError(.configuration, "step '\(step)': auth: bearer sends the API token only to the environment's API, \(Self.origin(of: api)), and this URL is on \(target); nothing was sent")
            }
            token = t
        }
        var redactor = context.redactor
        if let token { redactor.add(token) }
        let client = try client()
        let deadline = NIODeadline.now() + .milliseconds(context.timeout.milliseconds)
        let started = ContinuousClock.now

        var method = HTTPMethod(rawValue: http.method.uppercased())
        var url = http.url
        var body = http.body
        var sendToken = token != nil
        let origin = Self.origin(of: http.url)
        var redirects = 0
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in http.headers.sorted(by: { $0.key < $1.key }) {
                request.headers.add(name: name, value: value)
            }
            if sendToken, let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }

            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                throw DriverError(Self.code(of: error), "step '\(step)': \(method.rawValue) \(redactor.redact(url)): \(Self.reason(error, timeout: context.timeout))")
            }
            if http.followRedirects, redirects < maxRedirects, [301, 302, 303, 307, 308].contains(Int(response.status.code)),
                let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: URL(string: url))?.absoluteURL,
                next.scheme == "http" || next.scheme == "https"
            {
                redirects += 1
                url = next.absoluteString
                if response.status.code == 303 || ([301, 302].contains(response.status.code) && method == .POST) {
                    if method != .HEAD { method = .GET }
                    body = nil
                }
                // Never hand the token to another origin.
                sendToken = sendToken && Self.origin(of: url) == origin
                continue
            }
            let captured: (bytes: [UInt8], truncated: Bool)
            do {
                captured = try await Self.read(response.body, limit: bodyLimit)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                throw DriverError(Self.code(of: error), "step '\(step)': \(method.rawValue) \(redactor.redact(url)): reading the body: \(Self.reason(error, timeout: context.timeout))")
            }
            return Self.output(response, bytes: captured.bytes, truncated: captured.truncated, url: url, expect: http.expectStatus,
                               redactor: redactor, elapsed: ContinuousClock.now - started)
        }
    }

    /// Reads at most `limit` bytes of a body, then stops (the connection is then dropped).
    static func read(_ body: HTTPClientResponse.Body, limit: Int) async throws -> (bytes: [UInt8], truncated: Bool) {
        var kept: [UInt8] = []
        for try await buffer in body {
            let room = limit - kept.count
            if buffer.readableBytes > room {
                kept.append(contentsOf: buffer.readableBytesView.prefix(room))
                return (kept, true)
            }
            kept.append(contentsOf: buffer.readableBytesView)
        }
        return (kept, false)
    }

    /// `scheme://host:port` of a URL, for the token rule.
    static func origin(of url: String) -> String {
        guard let c = URLComponents(string: url) else { return url }
        let scheme = c.scheme?.lowercased() ?? ""
        return "\(scheme)://\(c.writtenHost?.lowercased() ?? ""):\(c.port ?? (scheme == "https" ? 443 : 80))"
    }

    /// The code of a failed request: timeouts and connection failures mean the API could
    /// not be reached.
    static func code(of error: any Error) -> DriverError.Code {
        if let e = error as? HTTPClientError {
            if e == .connectTimeout || e == .deadlineExceeded || e == .readTimeout { return .timedOut }
            if e == .remoteConnectionClosed { return .unreachable }
            return .failed
        }
        return SQLDriver.code(of: error)
    }

    /// A short reason for a failed request.
    static func reason(_ error: any Error, timeout: Duration) -> String {
        if let e = error as? HTTPClientError {
            if e == .connectTimeout { return "connect timed out" }
            if e == .deadlineExceeded || e == .readTimeout { return "no answer within \(DurationText.format(timeout))" }
            if e == .remoteConnectionClosed { return "the server closed the connection" }
            return "\(e)"
        }
        return SQLDriver.reason(error)
    }

    static func output(_ response: HTTPClientResponse, bytes: [UInt8], truncated: Bool, url: String, expect: [Int],
                       redactor: Redactor, elapsed: Duration) -> DriverOutput
    {
        let status = Int(response.status.code)
        var headers = ValueObject()
        for header in response.headers {
            let name = header.name.lowercased()
            let value = redactor.redact(header.value)
            if case .string(let existing)? = headers[name] { headers[name] = .string(existing + ", " + value) } else { headers[name] = .string(value) }
        }
        let text = redactor.redact(String(decoding: bytes, as: UTF8.self))
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        var json = Value.null
        if !truncated, !text.isEmpty, contentType.contains("json") || text.first == "{" || text.first == "[" {
            json = (try? JSON.parse(text)) ?? .null
        }
        let succeeded = expect.isEmpty ? (200..<300).contains(status) : expect.contains(status)
        let result = Value.object([
            ("status", .int(status)), ("headers", .object(headers)), ("body", .string(text)), ("json", json),
            ("truncated", .bool(truncated)), ("url", .string(redactor.redact(url))), ("elapsed_ms", .int(Int(elapsed.milliseconds))),
        ])
        var excerpt = "HTTP \(status) \(response.status.reasonPhrase)"
        if !text.isEmpty {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var shown = lines.prefix(20).joined(separator: "\n")
            if shown.count > 2000 { shown = String(shown.prefix(2000)) + "…" } else if lines.count > 20 { shown += "\n…" }
            excerpt += "\n" + shown
        }
        if truncated { excerpt += "\n[body truncated at \(bytes.count) bytes]" }
        var hasher = SHA256()
        hasher.update(data: Array("\(status)\n".utf8))
        hasher.update(data: Array(text.utf8))
        let digest = Hex.encode(hasher.finalize())
        return DriverOutput(result: result, succeeded: succeeded, excerpt: excerpt, digest: digest)
    }
}
