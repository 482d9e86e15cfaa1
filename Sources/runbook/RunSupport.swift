import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import Synchronization

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
    try resolveEnvironment(Result { () throws(DiagnosticsError) -> Environment in
        try Environment.load(name: name, home: home, processEnvironment: ProcessInfo.processInfo.environment)
    }, name: name, runbook: runbook, required: required)
}

/// The environment already loaded (or not) as `loaded`, judged as ``resolveEnvironment(name:runbook:home:required:)`` does.
func resolveEnvironment(_ loaded: Result<Environment, DiagnosticsError>, name: String, runbook: Runbook, required: Bool) throws -> Environment {
    do {
        return try loaded.get()
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

/// Runs `body` for at most `limit`, then gives up on it: teardown (closing connections,
/// releasing the lock) must never keep a finished run from exiting.
func bounded(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
    _ = try? await withDeadline(limit, grace: .zero) { await body() }
}

/// A redactor shared with a callback made before every secret is known (the ledger writer's
/// warnings): the run sets the whole redactor once its inputs are resolved.
final class SharedRedactor: Sendable {
    private let redactor: Mutex<Redactor>

    init(_ initial: Redactor) {
        redactor = Mutex(initial)
    }

    func set(_ value: Redactor) {
        redactor.withLock { $0 = value }
    }

    func redact(_ text: String) -> String {
        redactor.withLock { $0.redact(text) }
    }
}
