import Foundation

/// Runs a runbook: checks for real (also in a dry run), actions only past their gate and
/// never in a dry run, every event in the audit log before it happens. Dry-run and gate
/// semantics live here and nowhere else.
public final class Executor: Sendable {
    public struct Request: Sendable {
        public var runbook: Runbook
        public var environment: Environment
        public var inputs: [String: Value]
        public var mode: Planner.Mode
        public var operatorName: String
        public var host: String
        public var runID: String
        /// How long ago the incident began (`--incident-age`), for the escalation level.
        public var incidentAge: Duration = .zero
        /// The escalation ladder, when the project has one.
        public var escalation: Escalation?

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
    let audit: AuditLog
    let terminal: (any GateTerminal)?
    let observer: (any RunObserver)?
    let renderer: CommandRenderer
    let redactor: Redactor
    let concurrency: Int

    public init(drivers: DriverRegistry, audit: AuditLog, renderer: CommandRenderer, redactor: Redactor,
                terminal: (any GateTerminal)? = nil, observer: (any RunObserver)? = nil, concurrency: Int = 8)
    {
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
        let stamp = date.formatted(.iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false).timeSeparator(.omitted))
        let suffix = (0..<6).map { _ in "0123456789abcdef".randomElement()! }
        return "\(stamp)-\(String(suffix))"
    }

    /// Runs the whole runbook and returns its report; never throws: every failure is a status.
    public func run(_ request: Request) async -> RunReport {
        let runbook = request.runbook
        let started = Date()
        let clock = ContinuousClock()
        let t0 = clock.now
        var report = RunReport(runID: request.runID, runbook: runbook.id, title: runbook.title, environment: request.environment.name,
                               dryRun: request.mode.dryRun, status: .running, steps: [], startedAt: started, durationMs: 0)
        var state = RunState(request: request, startedAt: started)

        do {
            try audit.append(event: "run.started", runID: request.runID, fields: [
                ("runbook", .string(runbook.id)), ("runbook_sha256", .string(runbook.sha256)), ("runbook_path", .string(runbook.path)),
                ("environment", .string(request.environment.name)), ("mode", .string(report.mode)),
                ("operator", .string(request.operatorName)), ("host", .string(request.host)),
                ("inputs", redactor.redact(.object(ValueObject(request.inputs)))),
            ], sync: !request.mode.dryRun)
        } catch {
            report.couldNotRun = true
            report.message = "audit log cannot be written, nothing was run: \(error.message)"
            report.settleStatus()
            return report
        }
        observer?.runStarted(report)

        var stopped = false
        for group in Planner.groups(runbook.steps, limit: concurrency) {
            if Task.isCancelled { report.interrupted = true; break }
            if stopped { break }
            let steps = Array(runbook.steps[group])
            let scope = state.scope()
            var outcomes: [StepOutcome]
            do {
                if steps.count == 1 {
                    outcomes = [try await runStep(steps[0], scope: scope, state: state, request: request)]
                } else {
                    outcomes = try await withThrowingTaskGroup(of: (Int, StepOutcome).self) { tasks in
                        for (i, step) in steps.enumerated() {
                            let s = state
                            tasks.addTask { (i, try await self.runStep(step, scope: scope, state: s, request: request)) }
                        }
                        var collected = [StepOutcome?](repeating: nil, count: steps.count)
                        for try await (i, outcome) in tasks { collected[i] = outcome }
                        return collected.compactMap { $0 }
                    }
                }
            } catch let error as AuditError {
                report.couldNotRun = true
                report.message = "audit log cannot be written, the run stopped before anything else ran: \(error.message)"
                break
            } catch {
                report.couldNotRun = true
                report.message = "\(error)"
                break
            }
            for outcome in outcomes {
                report.steps.append(outcome.report)
                state.record(outcome.report)
                observer?.stepFinished(outcome.report)
                switch outcome.flow {
                case .proceed: break
                case .stopAtGate(let why):
                    report.stoppedAtGate = true
                    report.message = why
                    stopped = true
                case .stopFailed(let why):
                    report.message = why
                    stopped = true
                case .interrupted:
                    report.interrupted = true
                    stopped = true
                }
            }
        }
        if Task.isCancelled { report.interrupted = true }
        if report.interrupted, report.message == nil { report.message = "interrupted" }

        report.durationMs = Int((clock.now - t0).milliseconds)
        report.settleStatus()
        do {
            try audit.append(event: "run.ended", runID: request.runID, fields: [
                ("status", .string(report.status.rawValue)), ("exit_code", .int(Int(report.exitCode))),
                ("duration_ms", .int(report.durationMs)), ("message", report.message.map { .string(redactor.redact($0)) } ?? .null),
            ], sync: true)
        } catch {
            report.couldNotRun = true
            report.message = (report.message.map { $0 + "; " } ?? "") + "audit log cannot be written: \(error.message)"
            report.settleStatus()
        }
        observer?.runFinished(report)
        return report
    }
}

/// What later steps can read, and the run's context for templates.
struct RunState: Sendable {
    let request: Executor.Request
    let startedAt: Date
    var steps = ValueObject()
    var reports: [StepReport] = []

    init(request: Executor.Request, startedAt: Date) {
        self.request = request
        self.startedAt = startedAt
    }

    mutating func record(_ report: StepReport) {
        steps[report.id] = report.scopeValue
        reports.append(report)
    }

    func scope(result: Value? = nil) -> ExpressionScope {
        var scope = ExpressionScope([
            "inputs": .object(ValueObject(request.inputs)),
            "env": request.environment.values,
            "steps": .object(steps),
            "run": runValue(),
        ])
        if let result { scope["result"] = result }
        return scope
    }

    /// `run.*`: identity, timing and a digest of findings for notify templates.
    func runValue() -> Value {
        let runbook = request.runbook
        let elapsed = Int(Date().timeIntervalSince(startedAt) / 60)
        let superseded = Set(reports.filter { $0.kind == .check && $0.status != "skipped" }.compactMap(\.supersedes))
        let current = reports.filter { !superseded.contains($0.id) }
        let findings = current.filter { $0.kind == .check && $0.status != "green" && $0.status != "skipped" }
            .map { "- \($0.title): \($0.status.uppercased())" + ($0.message.map { " (\($0))" } ?? "") }
        let actions = reports.filter { $0.kind == .action && $0.status != "skipped" }
            .map { "- \($0.title): \($0.status)" + ($0.command.map { " — \($0)" } ?? "") }
        let worst = current.compactMap { CheckStatus(rawValue: $0.status) }.max() ?? .green
        let incidentMinutes = Int(request.incidentAge.seconds / 60) + elapsed
        let incidentStart = startedAt.addingTimeInterval(-request.incidentAge.seconds)
        return .object([
            ("id", .string(request.runID)), ("runbook", .string(runbook.id)), ("title", .string(runbook.title)),
            ("severity", .string(runbook.severity ?? "P3")), ("owner", .string(runbook.owner ?? "")),
            ("description", .string(runbook.description ?? "")),
            ("environment", .string(request.environment.name)), ("mode", .string(request.mode.dryRun ? "dry-run" : "live")),
            ("operator", .string(request.operatorName)), ("host", .string(request.host)),
            ("started_at", .string(RunState.utc(startedAt))), ("now", .string(RunState.utc(Date()))),
            ("elapsed_minutes", .int(elapsed)),
            ("status", .string(worst.rawValue)),
            ("findings", .string(findings.isEmpty ? "- all checks green" : findings.joined(separator: "\n"))),
            ("actions", .string(actions.isEmpty ? "- none" : actions.joined(separator: "\n"))),
            ("incident_started_at", .string(RunState.utc(incidentStart))), ("incident_minutes", .int(incidentMinutes)),
            ("escalation", request.escalation?.value(minutes: incidentMinutes) ?? .null),
        ])
    }

    static func utc(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: date)
    }
}

/// A step's report plus what the run does next.
struct StepOutcome: Sendable {
    enum Flow: Sendable { case proceed, stopAtGate(String), stopFailed(String), interrupted }
    var report: StepReport
    var flow: Flow
}
