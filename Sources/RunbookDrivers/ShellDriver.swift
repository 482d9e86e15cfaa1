import Crypto
import Foundation
import RunbookCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs argv (never a shell line) as a child process in its own session, so a timeout or
/// Ctrl-C stops the whole process group (SIGTERM, then SIGKILL). Output is captured up to a
/// bound per stream; the result says when it was truncated, and the digest covers all of it.
public struct ShellDriver: StepDriver {
    /// Bytes kept per stream in `result.stdout` / `result.stderr`.
    public var captureLimit: Int
    /// How long the group gets between SIGTERM and SIGKILL.
    public var gracePeriod: Duration

    public init(captureLimit: Int = 256 * 1024, gracePeriod: Duration = .seconds(2)) {
        self.captureLimit = captureLimit
        self.gracePeriod = gracePeriod
    }

    public func execute(_ command: RenderedCommand, context: DriverContext) async throws -> DriverOutput {
        guard case .shell(let shell) = command else { throw DriverError("the shell driver got a \(command) command") }
        guard let program = shell.argv.first, !program.isEmpty else { throw DriverError("empty command") }
        let executable: Executable
        if program.contains("/") {
            let path = program.hasPrefix("/") ? program : shell.workingDirectory + "/" + program
            guard FileManager.default.isExecutableFile(atPath: path) else { throw DriverError("'\(program)' is not an executable file (looked in \(shell.workingDirectory))") }
            executable = .path(FilePath(path))
        } else {
            executable = .name(program)
        }
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        var overrides: [Subprocess.Environment.Key: String?] = [:]
        for (k, v) in shell.environment { overrides[Subprocess.Environment.Key(stringLiteral: k)] = v }
        let limit = captureLimit
        let started = ContinuousClock.now
        let stdout: Capture, stderr: Capture
        let termination: TerminationStatus
        do {
            let outcome = try await Subprocess.run(
                executable,
                arguments: Arguments(Array(shell.argv.dropFirst())),
                environment: .inherit.updating(overrides),
                workingDirectory: FilePath(shell.workingDirectory),
                platformOptions: options,
                input: .string(shell.stdin ?? ""),
                output: .sequence,
                error: .sequence
            ) { execution in
                async let out = Capture.collect(execution.standardOutput, limit: limit)
                async let err = Capture.collect(execution.standardError, limit: limit)
                return try await (out, err)
            }
            (stdout, stderr) = outcome.closureResult
            termination = outcome.terminationStatus
        } catch let error as SubprocessError {
            if Task.isCancelled { throw CancellationError() }
            throw DriverError("cannot start '\(program)': \(error)")
        }
        if Task.isCancelled { throw CancellationError() }
        var exitCode: Int
        var signal: Value = .null
        switch termination {
        case .exited(let code): exitCode = Int(code)
        case .signaled(let sig):
            exitCode = 128 + Int(sig)
            signal = .int(Int(sig))
        }
        let result = Value.object([
            ("exit_code", .int(exitCode)), ("stdout", .string(stdout.text)), ("stderr", .string(stderr.text)),
            ("stdout_truncated", .bool(stdout.truncated)), ("stderr_truncated", .bool(stderr.truncated)),
            ("signal", signal), ("elapsed_ms", .int(Int((ContinuousClock.now - started).milliseconds))),
            ("json", Self.json(stdout)),
        ])
        var nagios: CheckStatus?
        if shell.nagios {
            switch exitCode {
            case 0: nagios = .green
            case 1: nagios = .yellow
            case 2: nagios = .red
            default: nagios = .error
            }
        }
        var excerpt = Self.tail(stdout.text, lines: 15)
        if !stderr.text.isEmpty { excerpt += (excerpt.isEmpty ? "" : "\n") + "stderr: " + Self.tail(stderr.text, lines: 8) }
        if stdout.truncated { excerpt += "\n[stdout truncated at \(limit) bytes of \(stdout.total)]" }
        var hasher = SHA256()
        hasher.update(data: Array(stdout.digest.utf8))
        hasher.update(data: Array(stderr.digest.utf8))
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return DriverOutput(result: result, succeeded: exitCode == 0, nagiosStatus: nagios, excerpt: excerpt, digest: digest)
    }

    /// `result.json`: stdout parsed, when the whole of it (untruncated) is one JSON object or
    /// array, so thresholds read values by name (`result.json.errors`); `null` otherwise.
    static func json(_ stdout: Capture) -> Value {
        guard !stdout.truncated else { return .null }
        let text = stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.first == "{" || text.first == "[" else { return .null }
        return (try? JSON.parse(text)) ?? .null
    }

    static func tail(_ text: String, lines: Int) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = all.last == "" ? all.dropLast() : all[...]
        let kept = trimmed.suffix(lines).map { $0.count > 300 ? $0.prefix(300) + "…" : $0 }
        return (trimmed.count > lines ? "…\n" : "") + kept.joined(separator: "\n")
    }
}

/// One captured stream: the first `limit` bytes as text, the total size, and a SHA-256 of all.
struct Capture: Sendable {
    var text: String
    var truncated: Bool
    var total: Int
    var digest: String

    static func collect(_ sequence: SubprocessOutputSequence, limit: Int) async throws -> Capture {
        var kept: [UInt8] = []
        var total = 0
        var hasher = SHA256()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(raw)
                hasher.update(bufferPointer: bytes)
                total += bytes.count
                if kept.count < limit { kept.append(contentsOf: bytes.prefix(limit - kept.count)) }
            }
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return Capture(text: String(decoding: kept, as: UTF8.self), truncated: total > limit, total: total, digest: digest)
    }
}

/// A driver could not do its job (the step's status is `error`).
public struct DriverError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
