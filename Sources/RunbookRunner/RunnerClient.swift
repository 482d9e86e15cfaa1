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
    }

    /// How long a run may stream (a wait for approval included).
    static let deadline = TimeAmount.hours(24)

    public static func run(_ request: RunnerRequest, url: String, key: String, output: RunOutput,
                           keygen: SSHKeygen = SSHKeygen()) async -> Outcome
    {
        let text = request.canonical
        let signature: String
        do { signature = try await keygen.sign(message: Array(text.utf8), key: key, namespace: RunnerRequest.namespace) } catch {
            output.line("error: cannot sign the run request: \(error.message); nothing was run")
            return Outcome(exitCode: 2)
        }
        guard let body = try? JSONEncoder().encode(RunnerRequest.Envelope(request: text, signature: signature)) else {
            return Outcome(exitCode: 2)
        }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var http = HTTPClientRequest(url: base + "/runs")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.body = .bytes(ByteBuffer(bytes: body))
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let outcome = await stream(http, client: client, base: base, environment: request.run.environment, output: output)
        try? await client.shutdown()
        return outcome
    }

    private static func stream(_ http: HTTPClientRequest, client: HTTPClient, base: String, environment: String,
                               output: RunOutput) async -> Outcome
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
                output.line("error: the runner at \(base) cannot be reached: \(error); nothing more is known of the run here (runbook runs --env \(environment))")
                return Outcome(exitCode: 4)
            }
        }
        if !ended {
            output.line("error: the runner's stream ended before the run did (runbook runs --env \(environment) says how it ended)")
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
