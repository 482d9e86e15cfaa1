import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers

#if canImport(Glibc)
import Glibc
#endif

/// Resolves `--input k=v` against the runbook's declared inputs: unknown names, missing
/// required inputs and values of the wrong type are usage errors (exit 2).
func resolveInputs(_ pairs: [String], runbook: Runbook) throws -> [String: Value] {
    var given: [String: String] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            printError("error: --input takes NAME=VALUE, got '\(pair)'")
            throw ExitCode(2)
        }
        given[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    var values: [String: Value] = [:]
    var problems: [String] = []
    for name in given.keys.sorted() where !runbook.inputs.contains(where: { $0.name == name }) {
        let known = runbook.inputs.map(\.name)
        problems.append("runbook '\(runbook.id)' has no input '\(name)'\(Suggest.didYouMean(name, in: known))" + (known.isEmpty ? " (it takes none)" : " (inputs: \(known.joined(separator: ", ")))"))
    }
    for input in runbook.inputs {
        if let text = given[input.name] {
            switch input.parse(text) {
            case .success(let v): values[input.name] = v
            case .failure(let e): problems.append(e.description)
            }
        } else if let d = input.defaultValue {
            values[input.name] = d
        } else {
            problems.append("input '\(input.name)' is required: add --input \(input.name)=<\(input.kind.rawValue)>")
        }
    }
    if !problems.isEmpty {
        for p in problems { printError("error: \(p)") }
        throw ExitCode(2)
    }
    return values
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
func makeDrivers(for environment: Environment) -> RunDrivers {
    RunDrivers(environment: environment)
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

/// Cancels `task` on SIGINT or SIGTERM, so the running step stops its child and the audit
/// log records the abort.
final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private(set) var received: Int32 = 0

    init(onSignal: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.received = sig
                onSignal()
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
    }
}
