import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers

#if canImport(Glibc)
import Glibc
#endif

/// The run's inputs (see `InputResolver`); every problem printed, then exit 2.
func resolveInputs(_ pairs: [String], runbook: Runbook) throws -> [String: Value] {
    do {
        return try InputResolver.resolve(pairs, for: runbook)
    } catch {
        for p in error.problems { printError("error: \(p)") }
        throw ExitCode(2)
    }
}

/// The environment for a run: the file when it exists or the runbook needs one.
func resolveEnvironment(name: String, runbook: Runbook, home: URL, required: Bool) throws -> Environment {
    do {
        return try Environment.load(name: name, home: home, processEnvironment: ProcessInfo.processInfo.environment)
    } catch {
        let missing = error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("no environment")
        if missing, !runbook.usesEnvironment, !required { return .empty(name: name) }
        for d in error.diagnostics { printError(d.description) }
        throw ExitCode(2)
    }
}

/// The drivers of one run (shell, notify, sql for the environment's database, http); nothing
/// connects before a step needs it. Call `shutdown()` on them when the run is over.
func makeDrivers(for environment: Environment, live: Bool = false) -> RunDrivers {
    RunDrivers(environment: environment, guardChildren: live)
}

/// Who is running: `--operator`, `$RUNBOOK_OPERATOR`, else the login name.
func operatorName(_ flag: String?) -> String {
    if let flag, !flag.isEmpty { return flag }
    let env = ProcessInfo.processInfo.environment
    if let o = env["RUNBOOK_OPERATOR"], !o.isEmpty { return o }
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return env["USER"] ?? "unknown"
}

/// Asks on the controlling terminal (`/dev/tty`), so piped output does not hide the question.
struct TTYTerminal: GateTerminal {
    func ask(_ prompt: String) async -> String? {
        guard let tty = fopen("/dev/tty", "r+") else { return nil }
        defer { fclose(tty) }
        fputs(prompt, tty)
        fflush(tty)
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), tty) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return line.trimmingCharacters(in: .newlines)
    }

    static var available: Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        guard let tty = fopen("/dev/tty", "r+") else { return false }
        fclose(tty)
        return true
    }
}

/// Cancels the run on SIGINT, SIGTERM or SIGHUP (a dropped SSH session), so the running
/// step stops its child processes and the audit log records the interruption. A second
/// signal exits at once (130). ``cancel()`` restores the default handlers.
final class SignalTrap: @unchecked Sendable {
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init(onSignal: @escaping @Sendable () -> Void) {
        for sig in Self.signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.lock.withLock { () -> Int in
                    self.count += 1
                    return self.count
                }
                if n == 1 {
                    StandardStreams.err("\ninterrupted: stopping the current step (again to quit at once)\n")
                    onSignal()
                } else {
                    _exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops trapping and restores the default disposition of each signal.
    func cancel() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}

/// Cancels a task that may not exist yet: a signal that arrives before `attach` cancels the
/// task as soon as it is attached.
final class CancellationRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<RunReport, Never>?
    private var cancelled = false

    func attach(_ task: Task<RunReport, Never>) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> Task<RunReport, Never>? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}

/// Runs `body` for at most `limit`, then gives up on it: teardown (closing connections,
/// releasing the lock) must never keep a finished run from exiting.
func bounded(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
    _ = try? await withDeadline(limit, grace: .zero) { await body() }
}
