import RunbookCore

// The commands the runner serves (docs/runner.md): approve, deny, approvals (and a standing
// approval's request), runs, incident.

/// A served command whose environment is its `options` and whose key is its `--key`.
protocol LedgerServable: RunnerServable {
    var options: LedgerOptions { get set }
    var key: String? { get }
}

extension LedgerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }
}

extension Approvals.List: LedgerServable {}
extension ApprovalsStanding.Request: LedgerServable {}
extension Runs.ListRuns: LedgerServable {}
extension Runs.ShowRun: LedgerServable {}

extension Approve: LedgerServable {
    func throughRunner(_ env: Environment) async throws {
        try await Decide(options: options, key: key, verdict: .approved, comment: comment).throughRunner(requestID, env: env)
    }
}

extension Deny: LedgerServable {
    func throughRunner(_ env: Environment) async throws {
        try await Decide(options: options, key: key, verdict: .denied, comment: reason).throughRunner(requestID, env: env)
    }
}

extension IncidentOpen: IncidentServable {}
extension IncidentUpdate: IncidentServable {}
extension IncidentResolve: IncidentServable {}
extension IncidentRemind: IncidentServable {}
extension IncidentList: IncidentServable {}
extension IncidentShow: IncidentServable {}
