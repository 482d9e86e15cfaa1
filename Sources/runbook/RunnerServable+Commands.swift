import RunbookCore

// The commands the runner serves (docs/runner.md): approve, deny, approvals (and a standing
// approval's request), runs, incident.

extension Approvals.List: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }
}

extension ApprovalsStanding.Request: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }
}

extension Runs.ListRuns: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }
}

extension Runs.ShowRun: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }
}

extension Approve: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }

    func throughRunner(_ env: Environment) async throws {
        try await Decide(options: options, key: key, verdict: .approved, comment: comment).throughRunner(requestID, env: env)
    }
}

extension Deny: RunnerServable {
    var ledgerOptions: LedgerOptions {
        get { options }
        set { options = newValue }
    }
    var keyFlag: String? { key }

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
