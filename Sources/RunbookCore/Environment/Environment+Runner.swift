import Foundation

/// `runner:`: the team's runner for this environment (DESIGN.md, "Team mode: the runner").
///
/// ```yaml
/// runner: {url: "${RUNBOOK_RUNNER_URL}", principal: runner}
/// ```
///
/// `url` is where operators send signed requests; `principal` is the name of the runner's own
/// SSH key in the environment's `allowed_signers`: every live run of an environment with a
/// runner carries a checkpoint signed by that principal, and `audit verify --ledger` reports a
/// live run without one as `unenforced`.
extension Environment {
    /// Whether the file names a runner (`runner:` present and not null).
    public var hasRunner: Bool {
        guard let runner = values["runner"] else { return false }
        return runner != .null
    }

    /// Whether the file writes a `runner.url` (even one whose variable is unset): the operators'
    /// copies do, and send their commands there; the runner's own copy does not.
    public var namesRunnerURL: Bool { hasRunner && values["runner"]?["url"] != nil }

    /// `runner.url`; nil when missing or empty.
    public var runnerURL: String? { values["runner"]?["url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }

    /// `runner.principal`: the runner key's principal in `allowed_signers` (default `runner`).
    public var runnerPrincipal: String? {
        guard hasRunner else { return nil }
        return values["runner"]?["principal"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "runner"
    }
}
