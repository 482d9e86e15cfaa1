import ArgumentParser
import Foundation
import RunbookCore
import RunbookRunner

/// The process's own streams, as a run's output.
let standardOutput = RunOutput(out: { StandardStreams.out($0) }, err: { StandardStreams.err($0) })

/// Runs `body`, a library call that says its refusals on `standardOutput`, and exits with the
/// code its ``RunSessionError`` carries.
func exiting<T>(_ body: () async throws(RunSessionError) -> T) async throws -> T {
    do { return try await body() } catch { throw ExitCode(error.exitCode) }
}

/// The run's inputs (see `InputResolver`); every problem printed, then exit 2.
func resolveInputs(_ pairs: [String], runbook: Runbook) throws -> [String: Value] {
    do { return try RunSession.resolveInputs(pairs, runbook: runbook, output: standardOutput) } catch { throw ExitCode(error.exitCode) }
}

/// The environment for a run: the file when it exists or the runbook needs one.
func resolveEnvironment(name: String, runbook: Runbook, home: URL, required: Bool) throws -> Environment {
    let loaded = Result { () throws(DiagnosticsError) -> Environment in
        try Environment.load(name: name, home: home, processEnvironment: ProcessInfo.processInfo.environment)
    }
    do {
        return try RunSession.resolveEnvironment(loaded, name: name, runbook: runbook, required: required, output: standardOutput)
    } catch { throw ExitCode(error.exitCode) }
}

/// The operator's identity (see `RunIdentity.resolve`), refusals printed, exit 2 (4 when
/// ssh-keygen cannot run). On the runner, the principal that signed the request: `--key` and
/// `--operator` name nobody there.
func resolveIdentity(environment env: Environment, home: URL, keyFlag: String?, operatorFlag: String?, requireKey: Bool,
                     needing what: String = "a live run") async throws -> RunIdentity {
    if let served = ServedCommand.current {
        if let operatorFlag, !operatorFlag.isEmpty, operatorFlag != served.principal {
            printError("note: --operator \(operatorFlag) is not used: the runner records the principal your key names, \(served.principal)")
        }
        return RunIdentity(principal: served.principal)
    }
    return try await exiting { () async throws(RunSessionError) in
        try await RunIdentity.resolve(environment: env, home: home, keyFlag: keyFlag, operatorFlag: operatorFlag, requireKey: requireKey,
                                      needing: what, output: standardOutput)
    }
}
