import ArgumentParser
import RunbookCore

/// Why a command stops, with what it says on standard error. The exit code of each kind is
/// mapped here, once (DESIGN.md's table); ``RunbookCommand/main()`` prints the message and
/// exits with it. A run's own end is ``RunOutcome``'s to map.
struct CommandFailure: Error {
    /// What kind of failure, and so which exit code.
    enum Code {
        /// A check red, an action or a verification failed: exit 1.
        case failed
        /// Invalid runbook, input, flag or environment: exit 2.
        case usage
        /// Stopped at a gate, or refused by a policy: exit 3.
        case blocked
        /// Something needed could not be reached or written: exit 4.
        case unavailable

        /// The process's exit status.
        var exitCode: Int32 {
            switch self {
            case .failed: 1
            case .usage: 2
            case .blocked: 3
            case .unavailable: 4
            }
        }
    }

    var code: Code
    /// What standard error says (`error: ...`); may span lines; empty when the command said
    /// what it had to say already (a red report, lint's diagnostics).
    var message: String

    /// A failure of kind `code` that says `message`.
    init(_ code: Code, _ message: String = "") {
        self.code = code
        self.message = message
    }

    /// Invalid files (exit 2), said as their diagnostics (`path:line:col: error: ...`).
    init(diagnostics: [Diagnostic]) {
        self.init(.usage, diagnostics.map(\.description).joined(separator: "\n"))
    }

    /// Says the message, if any, on standard error, and gives the exit status: the one place
    /// both the CLI and the runner's served commands map a command's failure.
    func report() -> Int32 {
        if !message.isEmpty { printError(message) }
        return code.exitCode
    }
}
