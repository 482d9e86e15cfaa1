public import Foundation

/// Runs a runbook: checks for real (also in a dry run), actions only past their gate and
/// never in a dry run, every event in the audit log before it happens. A thin loop: what
/// happens to each step is decided by its ``StepMachine``; the executor only performs the
/// machine's actions (evaluate, render, ask, audit, perform, wait).
public final class Executor: Sendable {
    /// What to run, where, how and for whom.
    public struct Request: Sendable {
        /// The runbook, as loaded and validated.
        public var runbook: Runbook
        /// Where it runs: what `env.` reads and drivers connect to.
        public var environment: Environment
        /// The resolved inputs (``InputResolver``): `inputs.<name>`. Audited redacted.
        public var inputs: [String: Value]
        /// Dry run or live, which gates the flags pass, whether a terminal can be asked.
        public var mode: Planner.Mode
        /// Who runs it (`--operator`): in the audit log, on every gate decision and as `run.operator`.
        public var operatorName: String
        /// The machine it runs on, for the audit log and `run.host`.
        public var host: String
        /// The run's id; a new ``Executor/newRunID(date:)`` unless given.
        public var runID: String
        /// How long ago the incident began (`--incident-age`), for the escalation level.
        public var incidentAge: Duration = .zero
        /// The escalation ladder, when the project has one.
        public var escalation: Escalation?
        /// The incident the run is linked to (`run.incident`: id, title, severity, channel,
        /// started_at, commander); null when none.
        public var incident: Value = .null
        /// What became of the run lock (`held: KEY`, `not taken: WHY`), for the audit; nil
        /// for runs that take none (dry runs, no database).
        public var runLock: String?
        /// Binds the runbook's secret inputs into an approval's plan digest (``PlanKey``); nil:
        /// an action of a runbook with secret inputs cannot be four-eyes approved.
        public var planKey: PlanKey?

        /// A request; ``incidentAge``, ``escalation`` and ``runLock`` are set afterwards when known.
        public init(runbook: Runbook, environment: Environment, inputs: [String: Value], mode: Planner.Mode,
                    operatorName: String, host: String, runID: String = Executor.newRunID())
        {
            self.runbook = runbook
            self.environment = environment
            self.inputs = inputs
            self.mode = mode
            self.operatorName = operatorName
            self.host = host
            self.runID = runID
        }
    }

    let drivers: DriverRegistry
    let audit: any AuditSink
    let terminal: (any GateTerminal)?
    let observer: (any RunObserver)?
    let renderer: CommandRenderer
    let redactor: Redactor
    let concurrency: Int
    let lease: (any RunLease)?
    let approvals: (any ApprovalGate)?
    let clock: any StepClock
    let probe: (any ExpressionProbe)?

    /// An executor performing through `drivers` and recording to `audit`. `terminal` is where gates
    /// ask: without one, a gate that would ask is declined. `concurrency` caps how many
    /// independent consecutive checks run at once. `lease` is the run lock, verified before every
    /// action; nil runs without one. `clock` times steps and their retry waits (`runbook test`
    /// gives a virtual one); `probe` hears every condition decided (`runbook test --coverage`).
    public init(drivers: DriverRegistry, audit: any AuditSink, renderer: CommandRenderer, redactor: Redactor,
                terminal: (any GateTerminal)? = nil, observer: (any RunObserver)? = nil, concurrency: Int = 8,
                lease: (any RunLease)? = nil, approvals: (any ApprovalGate)? = nil,
                clock: any StepClock = ContinuousStepClock(), probe: (any ExpressionProbe)? = nil)
    {
        self.clock = clock
        self.probe = probe
        self.lease = lease
        self.approvals = approvals
        self.drivers = drivers
        self.audit = audit
        self.renderer = renderer
        self.redactor = redactor
        self.terminal = terminal
        self.observer = observer
        self.concurrency = concurrency
    }

    /// `20261129T140102Z-3f9a1c`: sortable, unique enough, readable on a phone at 3 a.m.
    public static func newRunID(date: Date = Date()) -> String {
        let stamp = UTCTime.compact(date)
        let suffix = (0..<6).map { _ in "0123456789abcdef".randomElement()! }
        return "\(stamp)-\(String(suffix))"
    }

    /// Renders every step without running anything: the executor in `Planner.Mode.plan`,
    /// with no drivers and no audit. Each step comes back `planned` with its command, or
    /// with the reason it can only be rendered at run time.
    public static func plan(_ request: Request, renderer: CommandRenderer, redactor: Redactor) async -> RunReport {
        var request = request
        request.mode = .plan
        let executor = Executor(drivers: DriverRegistry(), audit: DiscardingAuditSink(), renderer: renderer, redactor: redactor, concurrency: 1)
        return await executor.run(request)
    }

    /// Runs the whole runbook and returns its report; never throws: every failure is a status.
    public func run(_ request: Request) async -> RunReport {
        let runbook = request.runbook
        let started = Date()
        let clock = ContinuousClock()
        let t0 = clock.now
        var report = RunReport(runID: request.runID, runbook: runbook.id, title: runbook.title, environment: request.environment.name,
                               dryRun: request.mode.dryRun, startedAt: started)
        var scope = RunScope(request: request, startedAt: started)

        do {
            try await audit.record(.runStarted(.init(
                runbook: runbook.id, runbookSHA256: runbook.sha256, runbookPath: runbook.path, environment: request.environment.name,
                mode: report.mode, operatorName: request.operatorName, host: request.host,
                inputs: redactor.redact(.object(ValueObject(request.inputs))), runLock: request.runLock)), runID: request.runID, sync: !request.mode.dryRun)
        } catch {
            report.end = .auditFailed
            report.message = "audit log cannot be written, nothing was run: \(error.message)"
            return report
        }
        observer?.runStarted(report)

        var end: RunOutcome.End = .completed
        var reports: [String: StepReport] = [:]
        groups: for group in Planner.groups(runbook.steps, limit: concurrency) {
            if Task.isCancelled { end = .interrupted; break }
            let steps = Array(runbook.steps[group])
            let expressionScope = scope.expressionScope()
            let (outcomes, failure) = await runGroup(steps, scope: expressionScope, request: request, reports: reports)
            for outcome in outcomes {
                report.steps.append(outcome.report)
                reports[outcome.report.id] = outcome.report
                scope.record(outcome.report)
            }
            if let failure {
                end = .auditFailed
                report.message = "audit log cannot be written, the run stopped before anything else ran: \(failure.message)"
                break
            }
            // The first step of the group that stops the run decides why.
            for outcome in outcomes {
                if case .stop(let why, let message) = outcome.flow {
                    end = why
                    report.message = message
                    break groups
                }
            }
        }
        if Task.isCancelled, end != .auditFailed { end = .interrupted }
        if end == .interrupted, report.message == nil { report.message = "interrupted" }
        report.end = end
        report.durationMs = Int((clock.now - t0).milliseconds)

        if end != .auditFailed {
            do {
                try await audit.record(.runEnded(status: report.status.rawValue, exitCode: report.exitCode, durationMs: report.durationMs,
                                           message: report.message.map(redactor.redact)), runID: request.runID, sync: true)
            } catch {
                report.end = .auditFailed
                report.message = (report.message.map { $0 + "; " } ?? "") + "audit log cannot be written: \(error.message)"
            }
        }
        observer?.runFinished(report)
        return report
    }

    /// Runs consecutive independent steps at once (a group of one runs alone). Each step's
    /// report goes to the observer as soon as it and every step before it in the group have
    /// ended, in the runbook's order: a slow check does not hide the quick ones before it.
    /// Returns the outcomes in order up to the first step whose audit record could not be
    /// written (with that error): those steps ran and were recorded; none after it is reported.
    func runGroup(_ steps: [Step], scope: ExpressionScope, request: Request,
                  reports: [String: StepReport]) async -> (outcomes: [StepOutcome], failure: AuditError?) {
        if steps.count == 1 {
            switch await outcome(of: steps[0], scope: scope, request: request, reports: reports) {
            case .success(let outcome):
                observer?.stepFinished(outcome.report)
                return ([outcome], nil)
            case .failure(let error):
                return ([], error)
            }
        }
        return await withTaskGroup(of: (Int, Result<StepOutcome, AuditError>).self) { tasks in
            for (i, step) in steps.enumerated() {
                tasks.addTask { (i, await self.outcome(of: step, scope: scope, request: request, reports: reports)) }
            }
            var collected = [Result<StepOutcome, AuditError>?](repeating: nil, count: steps.count)
            var outcomes: [StepOutcome] = []
            var failure: AuditError?
            for await (i, result) in tasks {
                collected[i] = result
                // Report the finished prefix, stopping for good at the first audit failure.
                while failure == nil, outcomes.count < steps.count, let next = collected[outcomes.count] {
                    switch next {
                    case .success(let outcome):
                        observer?.stepFinished(outcome.report)
                        outcomes.append(outcome)
                    case .failure(let error):
                        failure = error
                    }
                }
            }
            return (outcomes, failure)
        }
    }

    /// `runStep` as a `Result`. Kept out of the child task's closure on purpose: Swift 6.3.1
    /// with -O miscompiles a `do throws(AuditError) { return (i, ...) } catch { ... }` inside
    /// `addTask` (the index read back is wrong; a release build crashed on `collected[i]`).
    func outcome(of step: Step, scope: ExpressionScope, request: Request, reports: [String: StepReport]) async -> Result<StepOutcome, AuditError> {
        do throws(AuditError) { return .success(try await runStep(step, scope: scope, request: request, reports: reports)) } catch { return .failure(error) }
    }
}

/// A step's report plus what the run does next.
struct StepOutcome: Sendable {
    var report: StepReport
    var flow: StepMachine.Flow
}
