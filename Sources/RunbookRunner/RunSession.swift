public import Foundation
public import RunbookCore
public import RunbookDrivers
import RunbookLedger

/// One `runbook run`, from its flags to its report: validation, identity, approvals, the
/// incident link, the run lock, the approval re-run loop and teardown. The CLI drives it for a
/// local run, the runner for a signed request; both see it through a ``RunOutput`` and get the
/// report back (or a ``RunSessionError`` with the contract's exit code, its reason already said).
public struct RunSession: Sendable {
    /// Who runs.
    public enum Operator: Sendable {
        /// A person at a terminal, a CI job, a timer: `--key` and `--operator` as given, checked
        /// against the environment's identity.
        case local(key: String?, operatorFlag: String?)
        /// The runner: the principal it verified from a signed request; checkpoints (and
        /// approval requests, on the principal's behalf) signed by the runner's own key.
        case runner(principal: String, signer: CheckpointWriter?)
    }

    /// Where the run happens and how it talks.
    public struct Context: Sendable {
        /// The project folder (runbooks/, environments/, ...).
        public var home: URL
        /// `--dir`, as given: repeated in the commands the run prints.
        public var directoryFlag: String?
        public var processEnvironment: [String: String]
        public var host: String
        public var output: RunOutput
        /// Asks at gates; nil: no terminal (flags and policy decide).
        public var terminal: (any GateTerminal)?
        public var color: Bool
        public var who: Operator
        /// The default audit log, when the options name none.
        public var auditLog: String
        /// Cancels the run (a signal, the runner's client gone): recorded as interrupted.
        public var cancellation = CancellationRelay()
        /// Called with true just before the first run starts (after every refusal), false once
        /// teardown is over: the CLI traps signals between the two.
        public var executing: @Sendable (Bool) -> Void = { _ in }
        /// Called with each run's id just before it starts (a resumed approval runs again, with
        /// a new id): the runner links its request to it.
        public var runStarting: @Sendable (String) -> Void = { _ in }
        /// A runner's parts that its runs share (environment, connections, parsed files); nil
        /// for a local run, which makes its own.
        public var shared: RunnerShared?

        public init(home: URL, directoryFlag: String?, processEnvironment: [String: String], host: String, output: RunOutput,
                    terminal: (any GateTerminal)?, color: Bool, who: Operator, auditLog: String)
        {
            self.home = home
            self.directoryFlag = directoryFlag
            self.processEnvironment = processEnvironment
            self.host = host
            self.output = output
            self.terminal = terminal
            self.color = color
            self.who = who
            self.auditLog = auditLog
        }
    }

    public let options: RunOptions
    public let context: Context

    public init(options: RunOptions, context: Context) {
        self.options = options
        self.context = context
    }

    private var output: RunOutput { context.output }

    /// Runs it. Nil when there was nothing to do (a scheduled run on a day its schedule does
    /// not name); else the report, whose `exitCode` is the run's.
    public func run() async throws(RunSessionError) -> RunReport? {
        // The environment first: when it names a team ledger, the connection to it starts now,
        // in the background, while the runbook loads (start-up is one thread; the handshake
        // and the ledger's new backend take the idle core instead of delaying the checks). It
        // writes nothing until the run's first record, and a run refused before then says
        // nothing about the ledger.
        let auditPath = options.auditLog ?? context.auditLog
        let shared = context.shared
        let loadedEnvironment = Result { () throws(DiagnosticsError) -> Environment in
            if let shared, shared.environment.name == options.environment { return shared.environment }
            return try Environment.load(name: options.environment, home: context.home, processEnvironment: context.processEnvironment)
        }
        let ledgerRedactor = SharedRedactor((try? loadedEnvironment.get()).map { Redactor(secrets: $0.secrets) } ?? Redactor())
        let output = self.output
        let ledgerWriter: LedgerWriter? = (try? loadedEnvironment.get())?.ledgerURL.map { url in
            LedgerWriter(url: url, logPath: auditPath, host: context.host, environment: options.environment, eventLoops: .singleton,
                         pool: shared?.environment.ledgerURL == url ? shared?.ledger : nil) { message in
                output.line(ledgerRedactor.redact(message))
            }
        }
        await ledgerWriter?.start()
        let report: RunReport?
        do {
            report = try await run(loadedEnvironment, ledgerWriter: ledgerWriter, ledgerRedactor: ledgerRedactor, auditPath: auditPath)
        } catch {
            // Refused or failed before the end (the end closes it after the last records).
            await bounded(.seconds(2)) { await ledgerWriter?.close() }
            throw error
        }
        // Closed already, unless the run had nothing to do (not a scheduled day).
        await bounded(.seconds(2)) { await ledgerWriter?.close() }
        return report
    }

    /// The run once the ledger's connection is under way.
    private func run(_ loadedEnvironment: Result<Environment, DiagnosticsError>, ledgerWriter: LedgerWriter?, ledgerRedactor: SharedRedactor,
                     auditPath: String) async throws(RunSessionError) -> RunReport?
    {
        let options = self.options
        let home = context.home
        let runbook = if let shared = context.shared {
            try shared.runbook(options.runbook, output: output)
        } else {
            try Self.loadRunbook(options.runbook, loader: RunbookLoader(home: home), output: output)
        }
        if options.scheduledDayOnly {
            guard options.scheduled, let schedule = runbook.schedule else {
                output.line("error: --scheduled-day-only is for scheduled runs (--scheduled) of a runbook with a schedule: (\(runbook.id) has \(runbook.schedule == nil ? "none" : "one"))")
                throw .invalid
            }
            if !schedule.isScheduledDay(Date()) {
                output.out("\(runbook.id): not run: today is not a day of its schedule (\(schedule.calendar.systemd) \(schedule.timezone))\n")
                return nil
            }
        }
        for approval in options.approve where runbook.step(approval)?.kind != .action {
            let actions = runbook.steps.filter { $0.kind == .action }.map(\.id)
            output.line("error: --approve \(approval): runbook '\(runbook.id)' has no action '\(approval)'\(Suggest.didYouMean(approval, in: actions))")
            throw .invalid
        }
        guard let lockWaitDuration = DurationText.parse(options.lockWait) else {
            output.line("error: --lock-wait takes a duration such as 30s or 2m, got '\(options.lockWait)'")
            throw .invalid
        }
        guard let incidentAgeDuration = DurationText.parse(options.incidentAge ?? "0s") else {
            output.line("error: --incident-age takes a duration such as 45m, got '\(options.incidentAge ?? "")'")
            throw .invalid
        }
        if options.incident != nil, options.incidentAge != nil {
            output.line("error: --incident-age is for runs without an incident: with --incident the escalation level counts from the incident's start")
            throw .invalid
        }
        var waitDuration: Duration?
        if let waitApproval = options.waitApproval {
            guard let d = DurationText.parse(waitApproval), d > .zero else {
                output.line("error: --wait-approval takes a duration such as 30m, got '\(waitApproval)'")
                throw .invalid
            }
            waitDuration = d
        }
        let escalation: Escalation?
        do {
            if let shared = context.shared { escalation = try shared.escalation.get() } else { escalation = try Escalation.load(home: home) }
        } catch {
            for d in error.diagnostics { output.line(d.description) }
            throw .invalid
        }
        let values = try Self.resolveInputs(options.inputs, runbook: runbook, output: output)
        // The plan key binds secret inputs into approvals (the runner holds it).
        let planKey: PlanKey?
        do { planKey = try PlanKey.load(processEnvironment: context.processEnvironment) } catch {
            output.line("error: \(error.message); nothing was run")
            throw .invalid
        }
        let env = try Self.resolveEnvironment(loadedEnvironment, name: options.environment, runbook: runbook, required: false, output: output)
        // Said before anything runs, but no reason not to run: a notify step never blocks a
        // repair. Each such step fails as a configuration error (exit 2) when it is reached.
        for problem in env.missingNotifyChannels(in: runbook) {
            output.line("warning: \(problem); that notify step will fail (exit 2), the rest of the run goes on")
        }
        // Identity (issue 10): refused here, before the audit log is opened or anything runs.
        let identity: RunIdentity
        let operatorFlag: String?
        switch context.who {
        case .local(let key, let flag):
            operatorFlag = flag
            identity = try await RunIdentity.resolve(environment: env, home: home, keyFlag: key, operatorFlag: flag, requireKey: !options.dryRun,
                                                     output: output)
        case .runner(let principal, let signer):
            operatorFlag = nil
            identity = RunIdentity(principal: principal, signer: signer)
        }
        let operatorName = identity.recordedOperator(flag: operatorFlag)
        var redactor = Redactor(secrets: env.secrets)
        for input in runbook.inputs where input.secret { if let v = values[input.name] { redactor.add(v.interpolated) } }
        ledgerRedactor.set(redactor)
        // Four-eyes approvals (issue 11): resolved, and a resumed request checked, before anything runs.
        let approvals = try await RunApprovals.resolve(environment: env, runbook: runbook, home: home, dryRun: options.dryRun,
                                                       scheduled: options.scheduled, identity: identity,
                                                       resume: options.resume, wait: waitDuration, directoryFlag: context.directoryFlag,
                                                       redactor: redactor, json: options.json, output: output)
        // The incident (issue 12), found before the ledger writer connects (an invalid
        // --incident exits 2 here): the escalation clock is the incident's; a live run posts the
        // escalation now due before its first step.
        let linked = try await RunIncident.link(flag: options.incident, runbook: runbook, environment: env, home: home, ladder: escalation,
                                                author: operatorName, dryRun: options.dryRun, redactor: redactor, output: output)

        let audit: AuditLog
        do { audit = try AuditLog(path: auditPath) } catch {
            output.line("error: \(error.message); nothing was run")
            throw .unreachable
        }

        let sink: any AuditSink = ledgerWriter.map { LedgerAuditSink(log: audit, writer: $0, eager: !options.dryRun) } ?? audit

        let interactive = context.terminal != nil
        let observer: (any RunObserver)? = options.json ? nil : TextReporter(color: context.color) { text in output.out(text) }
        let drivers = if let shared = context.shared, shared.environment.name == env.name {
            RunDrivers(shared: shared.drivers, guardChildren: !options.dryRun)
        } else {
            RunDrivers(environment: env, guardChildren: !options.dryRun)
        }
        var mode = Planner.Mode(dryRun: options.dryRun, yes: options.yes || options.scheduled, approvals: Set(options.approve), interactive: interactive)
        mode.fourEyes = approvals?.requirements ?? [:]
        mode.alreadyDone = approvals?.alreadyDone ?? [:]
        var request = Executor.Request(runbook: runbook, environment: env, inputs: values, mode: mode, operatorName: operatorName, host: context.host)
        request.incidentAge = incidentAgeDuration
        request.planKey = planKey
        request.escalation = escalation
        if let linked {
            if options.incidentAge != nil { output.line("warning: --incident-age ignored: the run is linked to \(linked.incident.id), whose start sets the escalation level") }
            request.incidentAge = .seconds(max(0, Int(Date().timeIntervalSince(linked.incident.startedAt))))
            request.incident = IncidentMessage.runValue(linked.incident)
            if !options.json { output.out("  incident: \(linked.incident.id) — \(TextReporter.escape(linked.incident.title)) (\(linked.incident.severity))\n") }
            await linked.starting(quiet: options.json)
        }
        let escalationAge = request.incidentAge
        if !options.json, runbook.tags.contains("incident") || linked != nil, let level = escalation?.level(at: Int(escalationAge.seconds / 60)) {
            output.out("  escalation: level \(level.level) at \(Int(escalationAge.seconds / 60)) min into the incident — \(level.who): \(level.contacts.joined(separator: ", "))\n")
        }

        // One live run per (runbook, environment) at a time; dry runs take no lock. Only a
        // database that cannot be reached means running without it (loudly, and in the
        // audit); a refused login, a TLS failure or a bad URL stops a live run.
        var lock: RunLock?
        if !options.dryRun, env.databaseURL != nil {
            do {
                lock = try await drivers.sql.acquireRunLock(key: "\(runbook.id)@\(env.name)",
                                                            holder: "\(request.operatorName) (run \(request.runID))", wait: lockWaitDuration)
            } catch let held as RunLockHeld {
                await bounded(.seconds(2)) { await drivers.shutdown() }
                await bounded(.seconds(2)) { await ledgerWriter?.close() }
                output.line("error: \(held); nothing was run (wait longer with --lock-wait)")
                throw .unreachable
            } catch let error as DriverError where error.code.meansUnreachable {
                let why = redactor.redact(error.message)
                output.line("warning: PostgreSQL cannot be reached, so the run lock was not taken (\(why)); running WITHOUT it: another live run of \(runbook.id) may run at the same time")
                request.runLock = "not taken: \(why)"
            } catch {
                await bounded(.seconds(2)) { await drivers.shutdown() }
                await bounded(.seconds(2)) { await ledgerWriter?.close() }
                let code = (error as? DriverError)?.code
                output.line("error: cannot take the run lock: \(redactor.redact("\(error)")); nothing was run")
                throw code == .configuration ? RunSessionError.invalid : RunSessionError.unreachable
            }
            if let lock { request.runLock = "held: \(lock.key)" }
        }

        // Linked to an incident whose alert fired: that alert is silenced in Alertmanager
        // while the repair runs (never a reason not to run).
        var silences: RunSilences?
        if let linked, !options.dryRun {
            silences = await RunSilences.start(incident: linked, runbook: runbook, environment: env, runID: request.runID, operatorName: operatorName,
                                               redactor: redactor, output: output)
        }

        // Announced before the run starts, so no signal can end it between its first and last
        // audit record.
        context.executing(true)
        let executor = Execution(drivers: drivers, env: env, home: home, sink: sink, redactor: redactor, terminal: context.terminal,
                                 observer: observer, lock: lock, cancellation: context.cancellation)
        var gate = approvals?.makeGate(options.resume)
        context.runStarting(request.runID)
        var report = await executor.run(request, gate: gate)
        // Approved while the run waited at the gate: run again resuming it, so every check runs
        // again and the digest is compared before the action.
        while let approved = gate?.approvedWhileWaiting, report.end != .interrupted, let chain = approvals {
            request.runID = Executor.newRunID()
            request.mode.alreadyDone = Dictionary(uniqueKeysWithValues: report.steps.filter { $0.kind == .action && $0.status == .succeeded }
                .map { ($0.id, "done before approval request \(approved) (run \(report.runID))") }).merging(request.mode.alreadyDone) { _, earlier in earlier }
            gate = chain.makeGate(approved)
            context.runStarting(request.runID)
            report = await executor.run(request, gate: gate)
        }
        // Teardown is bounded: a connection stuck after a database restart must not keep a
        // finished run from exiting. Signals keep being trapped until it is over.
        let heldLock = lock
        await bounded(.seconds(2)) { await heldLock?.release() }
        // The drivers close while the checkpoint is signed and the ledger receives what it
        // still lacks (a dry run's records, an interrupted run's end), then the checkpoint.
        async let driversClosed: Void = bounded(.seconds(2)) { await drivers.shutdown() }
        // The silences end with the run, whatever its outcome; recorded before the checkpoint.
        if let silences {
            let finished = report
            await bounded(.seconds(30)) { await silences.end(runID: finished.runID, status: finished.status.rawValue, audit: audit) }
        }
        var checkpoint: Checkpoint?
        if let signer = identity.signer, report.end != .auditFailed {
            checkpoint = await writeCheckpoint(signer, log: audit, runID: report.runID, output: output)
        }
        let signed = checkpoint
        await bounded(LedgerAuditSink.syncWait) {
            await ledgerWriter?.finish(checkpoints: signed.map { [$0] } ?? [])
        }
        await driversClosed
        if let linked {
            let finished = report
            await bounded(.seconds(30)) { await linked.ended(report: finished, runbook: runbook) }
        }
        context.executing(false)
        if let checkpoint, !options.json {
            output.out("  checkpoint: seq \(checkpoint.seq) signed by \(checkpoint.principal)\n")
        }
        if options.json { output.out(JSONReport.render(report) + "\n") }
        if report.end == .auditFailed, let m = report.message { output.line("error: \(m)") }
        return report
    }

    /// The executor's runs of one session, each cancellable through the context's relay.
    private struct Execution {
        let drivers: RunDrivers
        let env: Environment
        let home: URL
        let sink: any AuditSink
        let redactor: Redactor
        let terminal: (any GateTerminal)?
        let observer: (any RunObserver)?
        let lock: RunLock?
        let cancellation: CancellationRelay

        func run(_ request: Executor.Request, gate: LedgerApprovalGate?) async -> RunReport {
            let executor = Executor(drivers: drivers.registry, audit: sink, renderer: CommandRenderer(environment: env, home: home),
                                    redactor: redactor, terminal: terminal, observer: observer, lease: lock, approvals: gate)
            let task = Task { await executor.run(request) }
            cancellation.attach(task)
            return await task.value
        }
    }
}
