import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import RunbookDrivers

/// The operator's side of a run through the runner: signs the request with the operator's SSH
/// key, sends it, and says what the run says as it happens (the same text or JSON as a local
/// run). Cancelling the task that awaits ``run(_:url:key:output:)`` closes the connection,
/// which cancels the remote run (recorded there as interrupted).
public enum RunnerClient {
    /// What came back: the run's exit code (4 when the runner cannot be reached or the stream
    /// broke off), and its JUnit report when asked for.
    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var junit: String?
        /// What a command handed back (``RunnerEvent/value(_:)``), in order.
        public var values: [String] = []
    }

    /// How long a run may stream (a wait for approval included).
    static let deadline = TimeAmount.hours(24)

    public static func run(_ request: RunnerRequest, url: String, key: String, output: RunOutput,
                           keygen: SSHKeygen = SSHKeygen()) async -> Outcome
    {
        await send(request.canonical, path: "/runs", what: "the run request", url: url, key: key, output: output, keygen: keygen) { base, error in
            if let error {
                return "error: the runner at \(base) cannot be reached: \(error); nothing more is known of the run here (runbook runs --env \(request.run.environment))"
            }
            return "error: the runner's stream ended before the run did (runbook runs --env \(request.run.environment) says how it ended)"
        }
    }

    /// Sends a command (`approve`, `approvals`, `runs`, `incident ...`) to the runner, signed
    /// with `key`, and says what it prints; its exit code (4: the runner cannot be reached) and
    /// the values it handed back.
    public static func command(_ request: RunnerCommandRequest, url: String, key: String, output: RunOutput,
                               keygen: SSHKeygen = SSHKeygen()) async -> Outcome
    {
        await send(request.canonical, path: "/commands", what: "the request", url: url, key: key, output: output, keygen: keygen) { base, error in
            if let error { return "error: the runner at \(base) cannot be reached: \(error); nothing was done" }
            return "error: the runner's answer ended early: the command may or may not have been done (look again with runbook \(request.command.first ?? "runs") --env \(request.environment))"
        }
    }

    /// Signs `text` in the request namespace, POSTs it to `path`, and streams the answer.
    /// `failure` words a runner that cannot be reached (its error) or an answer cut short (nil).
    private static func send(_ text: String, path: String, what: String, url: String, key: String, output: RunOutput, keygen: SSHKeygen,
                             failure: @escaping (String, (any Error)?) -> String) async -> Outcome
    {
        let signature: String
        do { signature = try await keygen.sign(message: Array(text.utf8), key: key, namespace: RunnerRequest.namespace) } catch {
            output.line("error: cannot sign \(what): \(error.message); nothing was \(path == "/runs" ? "run" : "done")")
            return Outcome(exitCode: 2)
        }
        guard let body = try? JSONEncoder().encode(RunnerRequest.Envelope(request: text, signature: signature)) else {
            return Outcome(exitCode: 2)
        }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var http = HTTPClientRequest(url: base + path)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.body = .bytes(ByteBuffer(bytes: body))
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let outcome = await stream(http, client: client, output: output) { failure(base, $0) }
        try? await client.shutdown()
        return outcome
    }

    private static func stream(_ http: HTTPClientRequest, client: HTTPClient, output: RunOutput,
                               failure: ((any Error)?) -> String) async -> Outcome
    {
        var outcome = Outcome(exitCode: 4)
        var ended = false
        do {
            let response = try await client.execute(http, deadline: .now() + deadline)
            var pending = ""
            func handle(_ line: Substring) {
                guard let event = RunnerEvent(line: line) else { return }
                switch event {
                case .out(let text): output.out(text)
                case .err(let text): output.err(text)
                case .junit(let xml): outcome.junit = xml
                case .value(let text): outcome.values.append(text)
                case .heartbeat: break
                case .exit(let code):
                    outcome.exitCode = code
                    ended = true
                }
            }
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                while let newline = pending.firstIndex(of: "\n") {
                    handle(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                }
            }
            if !pending.isEmpty { handle(pending[...]) }
        } catch {
            if Task.isCancelled {
                output.line("interrupted: the runner cancels the run and records it")
                return Outcome(exitCode: 130)
            }
            if !ended {
                output.line(failure(error))
                return Outcome(exitCode: 4)
            }
        }
        if !ended {
            output.line(failure(nil))
            return Outcome(exitCode: 4)
        }
        return outcome
    }
}

extension RunnerClient.Outcome {
    init(exitCode: Int32) {
        self.exitCode = exitCode
        junit = nil
    }
}
