import Crypto
import Foundation
public import RunbookCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs argv (never a shell line) as a child process in its own session, so a timeout or
/// Ctrl-C stops the whole process group: SIGTERM, a grace period, then SIGKILL to the group
/// whether or not the direct child has exited (a grandchild that ignores SIGTERM dies too).
/// With a ``ProcessGroupWatchdog``, the group is also killed if `runbook` itself dies. Output
/// is captured up to a bound per stream; the result says when it was truncated, and the
/// digest covers all of it.
public struct ShellDriver: StepDriver {
    /// Bytes kept per stream in `result.stdout` / `result.stderr`.
    public var captureLimit: Int
    /// How long the group gets between SIGTERM and SIGKILL.
    public var gracePeriod: Duration
    /// Kills the steps' process groups if this process dies (live runs).
    public var watchdog: ProcessGroupWatchdog?

    public init(captureLimit: Int = 256 * 1024, gracePeriod: Duration = .seconds(1), watchdog: ProcessGroupWatchdog? = nil) {
        self.captureLimit = captureLimit
        self.gracePeriod = gracePeriod
        self.watchdog = watchdog
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
            // Found here, once: given a bare name, Subprocess spawns a process for every PATH
            // entry until one execs (eight spawns for grep on a typical PATH).
            let path = shell.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]
            executable = Self.lookUp(program, path: path).map { .path(FilePath($0)) } ?? .name(program)
        }
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        var overrides: [Subprocess.Environment.Key: String?] = [:]
        for (k, v) in shell.environment { overrides[Subprocess.Environment.Key(stringLiteral: k)] = v }
        let limit = captureLimit
        let watchdog = self.watchdog
        let group = ProcessGroupBox()
        let started = ContinuousClock.now
        defer {
            if let pgid = group.value {
                // Stopped early (timeout, Ctrl-C): whatever of the group is left dies now.
                if Task.isCancelled { kill(-pgid, SIGKILL) }
                watchdog?.unregister(pgid)
            }
        }
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
                let pgid = execution.processIdentifier.value
                group.value = pgid
                watchdog?.register(pgid)
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
        let nagios = shell.nagios ? CheckStatus.nagios(exitCode: exitCode) : nil
        var excerpt = Self.tail(stdout.text, lines: 15)
        if !stderr.text.isEmpty { excerpt += (excerpt.isEmpty ? "" : "\n") + "stderr: " + Self.tail(stderr.text, lines: 8) }
        if stdout.truncated { excerpt += "\n[stdout truncated at \(limit) bytes of \(stdout.total)]" }
        var hasher = SHA256()
        hasher.update(data: Array(stdout.digest.utf8))
        hasher.update(data: Array(stderr.digest.utf8))
        let digest = Hex.encode(hasher.finalize())
        return DriverOutput(result: result, succeeded: exitCode == 0, nagiosStatus: nagios, excerpt: excerpt, digest: digest)
    }

    /// The first executable regular file named `name` in the absolute folders of `path`, as
    /// `execvp` would find it; nil when there is none, or when a relative entry (`.`, empty)
    /// comes first, which is left to Subprocess's own search.
    static func lookUp(_ name: String, path: String?) -> String? {
        guard let path, !path.isEmpty else { return nil }
        for folder in path.split(separator: ":", omittingEmptySubsequences: false) {
            guard folder.hasPrefix("/") else { return nil }
            let candidate = folder.hasSuffix("/") ? "\(folder)\(name)" : "\(folder)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
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
