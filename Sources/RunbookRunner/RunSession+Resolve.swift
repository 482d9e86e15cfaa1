import Foundation
public import RunbookCore

/// What a run resolves before anything runs, each problem said and thrown as exit 2.
extension RunSession {
    /// Loads a runbook by id; unknown or invalid: its diagnostics, exit 2.
    public static func loadRunbook(_ id: String, loader: RunbookLoader, output: RunOutput) throws(RunSessionError) -> Runbook {
        let (runbook, said) = findRunbook(id, loader: loader)
        for line in said { output.line(line) }
        guard let runbook else { throw .invalid }
        return runbook
    }

    /// The runbook `id` (nil when there is none or it is invalid) and what loading it says,
    /// line by line (its diagnostics, warnings included).
    static func findRunbook(_ id: String, loader: RunbookLoader) -> (runbook: Runbook?, said: [String]) {
        let found: URL?
        do { found = try loader.locateRunbook(id) } catch {
            return (nil, ["error: runbook id \(error)"])
        }
        guard let url = found else {
            let known = loader.runbookFiles().map(\.id)
            return (nil, ["error: no runbook '\(id)' in \(loader.relativePath(loader.runbooksDirectory))\(Suggest.didYouMean(id, in: known))"])
        }
        let (runbook, diagnostics) = loader.loadRunbook(at: url)
        return (runbook, diagnostics.map(\.description))
    }

    /// The run's inputs (see `InputResolver`); every problem said, then exit 2.
    public static func resolveInputs(_ pairs: [String], runbook: Runbook, output: RunOutput) throws(RunSessionError) -> [String: Value] {
        do {
            return try InputResolver.resolve(pairs, for: runbook)
        } catch {
            for p in error.problems { output.line("error: \(p)") }
            throw .invalid
        }
    }

    /// The environment for a run, already loaded (or not) as `loaded`: the file when it exists
    /// or the runbook needs one (else an empty one named `name`).
    public static func resolveEnvironment(_ loaded: Result<Environment, DiagnosticsError>, name: String, runbook: Runbook, required: Bool,
                                          output: RunOutput) throws(RunSessionError) -> Environment
    {
        do {
            return try loaded.get()
        } catch {
            let missing = error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("no environment")
            if missing, !runbook.usesEnvironment, !required { return .empty(name: name) }
            for d in error.diagnostics { output.line(d.description) }
            throw .invalid
        }
    }
}
