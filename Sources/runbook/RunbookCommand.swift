import ArgumentParser
import Foundation
import RunbookCore

/// `runbook`: lint, list, show, plan, run and audit runbooks as code.
@main
struct RunbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Runbooks as code for the Conecta Boi ETL: diagnose in green/yellow/red, remediate behind gates, audit everything.",
        discussion: """
            Exit codes: 0 ok · 1 a check red or an action failed · 2 invalid runbook, input or usage · \
            3 stopped at a gate · 4 a step could not run · 130 interrupted.
            """,
        subcommands: [Lint.self, List.self, Show.self, Plan.self, Run.self, Audit.self]
    )

    /// Maps every usage error to exit 2 (the contract in DESIGN.md), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            printError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

/// Options every command that reads runbooks shares.
struct HomeOptions: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The project folder holding runbooks/, checks/, environments/, templates/ (default: $RUNBOOK_HOME or the current folder).")
    var directory: String?

    var home: URL {
        if let directory { return URL(fileURLWithPath: directory).standardizedFileURL }
        if let h = ProcessInfo.processInfo.environment["RUNBOOK_HOME"], !h.isEmpty { return URL(fileURLWithPath: h).standardizedFileURL }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    var loader: RunbookLoader { RunbookLoader(home: home) }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Loads a runbook by id, printing diagnostics and exiting 2 when it is unknown or invalid.
func loadRunbookOrExit(_ id: String, loader: RunbookLoader) throws -> Runbook {
    let found: URL?
    do { found = try loader.locateRunbook(id) } catch {
        printError("error: runbook id \(error)")
        throw ExitCode(2)
    }
    guard let url = found else {
        let known = loader.runbookFiles().map(\.id)
        printError("error: no runbook '\(id)' in \(loader.relativePath(loader.runbooksDirectory))\(Suggest.didYouMean(id, in: known))")
        throw ExitCode(2)
    }
    let (runbook, diagnostics) = loader.loadRunbook(at: url)
    for d in diagnostics { printError(d.description) }
    guard let runbook else { throw ExitCode(2) }
    return runbook
}
