public import Foundation
public import RunbookCore
public import RunbookDrivers
public import RunbookLedger
import Synchronization

/// What the runs of one runner share instead of making per run as a local run does: the
/// pinned environment, the network drivers (``SharedDrivers``: one event loop, one pool of
/// database connections, one HTTP client), the ledger connections of the runs' writers
/// (``LedgerPool``), and the runbooks and escalation ladder as parsed once. The files cannot
/// change under a runner: the policy check refuses every request once they no longer hash to
/// the policy it pinned at start, so what is parsed once is what every run would parse.
public final class RunnerShared: Sendable {
    /// The environment the runner serves, loaded at its start.
    public let environment: Environment
    public let drivers: SharedDrivers
    /// The ledger connections of the runs' writers.
    public let ledger: LedgerPool
    /// `escalation.yaml` as parsed once.
    let escalation: Result<Escalation?, DiagnosticsError>
    private let home: URL
    /// Each runbook asked for, as ``RunSession/loadRunbook(_:loader:output:)`` found it.
    private let runbooks = Mutex<[String: Loaded]>([:])

    /// A runbook's file, parsed: the runbook when it has no errors, and what loading said.
    struct Loaded: Sendable {
        var runbook: Runbook?
        var said: [String]
    }

    /// The shared parts for the runner of `environment` in `home`, over the ledger at
    /// `ledgerURL`; the runs' active marks go on `marks` (the runner's own kept connection).
    public init(home: URL, environment: Environment, ledgerURL: String, marks: @escaping LedgerPool.Marks) {
        self.home = home
        self.environment = environment
        let drivers = SharedDrivers(environment: environment)
        self.drivers = drivers
        ledger = LedgerPool(url: ledgerURL, eventLoops: drivers.eventLoops, marks: marks)
        escalation = Result { () throws(DiagnosticsError) -> Escalation? in try Escalation.load(home: home) }
    }

    /// The runbook `id` as a run loads it (what loading said, said again on every run),
    /// parsed the first time it loads without errors.
    func runbook(_ id: String, output: RunOutput) throws(RunSessionError) -> Runbook {
        let loaded = runbooks.withLock { $0[id] } ?? {
            let (runbook, said) = RunSession.findRunbook(id, loader: RunbookLoader(home: home))
            let loaded = Loaded(runbook: runbook, said: said)
            // Only a runbook that loads is kept: an id that names none costs its requester.
            if runbook != nil { runbooks.withLock { $0[id] = loaded } }
            return loaded
        }()
        for line in loaded.said { output.line(line) }
        guard let runbook = loaded.runbook else { throw .invalid }
        return runbook
    }
}
