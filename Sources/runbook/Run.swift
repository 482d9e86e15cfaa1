import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookLedger

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a runbook: checks for real, actions behind gates (never in --dry-run), everything audited.")

    enum Format: String, ExpressibleByArgument { case text, json }

    @OptionGroup var home: HomeOptions

    @Argument(help: "The runbook id.")
    var id: String

    @Option(name: .customLong("env"), help: "Environment name (environments/NAME.yaml).")
    var environment: String = "sandbox"

    @Flag(name: .customLong("dry-run"), help: "Run every check for real, read-only; show what each action would do; change nothing.")
    var dryRun = false

    @Option(name: .customLong("input"), help: "An input value, NAME=VALUE (repeatable).")
    var inputs: [String] = []

    @Flag(name: .customLong("yes"), help: "Pass every low and medium risk gate without a terminal.")
    var yes = false

    @Flag(name: .customLong("scheduled"), help: "A run started by a schedule (systemd timer, Kubernetes CronJob): passes low and medium risk gates as --yes does; high risk ones stop the run for a person.")
    var scheduled = false

    @Flag(name: .customLong("scheduled-day-only"), help: "With --scheduled: run only on a day the runbook's schedule names (in its time zone), and exit 0 at once on any other (cron cannot say \"the first Sunday\").")
    var scheduledDayOnly = false

    @Option(name: .customLong("approve"), help: "Pass the gate of this action, whatever its risk (repeatable).")
    var approvals: [String] = []

    @Option(name: .customLong("operator"), help: "Who runs it, for the audit log (default: $RUNBOOK_OPERATOR or the login name).")
    var operatorFlag: String?

    @Option(name: .customLong("key"), help: "Your SSH key (a private key, or the public half of a key in ssh-agent; default: $RUNBOOK_SIGNING_KEY): names you by the environment's allowed_signers and signs the checkpoint.")
    var key: String?

    @Option(name: .customLong("format"), help: "text or json.")
    var format: Format = .text

    @Option(name: .customLong("junit"), help: "Also write a JUnit XML report to this file.")
    var junit: String?

    @Option(name: .customLong("incident-age"), help: "For a run without an incident in the ledger: how long ago the incident began (e.g. 45m); sets the escalation level shown and used by notify templates.")
    var incidentAge: String?

    @Option(name: .customLong("incident"), help: "Link the run to incident ID (runbook incident open): its timeline records the run, the escalation level counts from the incident's start. Default for runbooks tagged incident: the environment's one open incident.")
    var incident: String?

    @Option(name: .customLong("lock-wait"), help: "How long a live run waits for another live run of the same runbook and environment (default 30s).")
    var lockWait: String = "30s"

    @Option(name: .customLong("resume"), help: "Continue after four-eyes approval REQUEST_ID: the checks run again and the action runs only if its plan digest is the one approved.")
    var resume: String?

    @Option(name: .customLong("wait-approval"), help: "Wait this long (e.g. 30m) for approvers at a four-eyes gate instead of stopping with exit 3 (Ctrl-C stops waiting; the request stays open).")
    var waitApproval: String?

    @Option(name: .customLong("audit-log"), help: "The audit log (default: $RUNBOOK_AUDIT_LOG or ~/.local/state/runbook/audit.jsonl).")
    var auditLog: String?

    func run() async throws {
        // The environment first: when it names a team ledger, the connection to it starts now,
        // in the background, while the runbook loads (start-up is one thread; the handshake
        // and the ledger's new backend take the idle core instead of delaying the checks). It
        // writes nothing until the run's first record, and a run refused before then says
        // nothing about the ledger.
        let processEnvironment = ProcessInfo.processInfo.environment
        let auditPath = auditLog ?? AuditLog.defaultPath(environment: processEnvironment)
        let loadedEnvironment = Result { () throws(DiagnosticsError) -> Environment in
            try Environment.load(name: environment, home: home.home, processEnvironment: processEnvironment)
        }
        let ledgerRedactor = SharedRedactor((try? loadedEnvironment.get()).map { Redactor(secrets: $0.secrets) } ?? Redactor())
        let ledgerWriter: LedgerWriter? = (try? loadedEnvironment.get())?.ledgerURL.map { url in
            LedgerWriter(url: url, logPath: auditPath, host: ProcessInfo.processInfo.hostName, environment: environment,
                         eventLoops: .singleton) { message in
                printError(ledgerRedactor.redact(message))
            }
        }
        await ledgerWriter?.start()
        do {
            try await run(loadedEnvironment, ledgerWriter: ledgerWriter, ledgerRedactor: ledgerRedactor, auditPath: auditPath,
                          processEnvironment: processEnvironment)
        } catch {
            // Refused or failed before the end (the end closes it after the last records).
            await bounded(.seconds(2)) { await ledgerWriter?.close() }
            throw error
        }
        // Closed already, unless the run had nothing to do (not a scheduled day).
        await bounded(.seconds(2)) { await ledgerWriter?.close() }
    }

    /// The run once the ledger's connection is under way.
    private func run(_ loadedEnvironment: Result<Environment, DiagnosticsError>, ledgerWriter: LedgerWriter?, ledgerRedactor: SharedRedactor,
                     auditPath: String, processEnvironment: [String: String]) async throws
    {
        let runbook = try loadRunbookOrExit(id, loader: home.loader)
        if scheduledDayOnly {
            guard scheduled, let schedule = runbook.schedule else {
                printError("error: --scheduled-day-only is for scheduled runs (--scheduled) of a runbook with a schedule: (\(runbook.id) has \(runbook.schedule == nil ? "none" : "one"))")
                throw ExitCode(2)
            }
            if !schedule.isScheduledDay(Date()) {
                print("\(runbook.id): not run: today is not a day of its schedule (\(schedule.calendar.systemd) \(schedule.timezone))")
                return
            }
        }
        for approval in approvals where runbook.step(approval)?.kind != .action {
            let actions = runbook.steps.filter { $0.kind == .action }.map(\.id)
            printError("error: --approve \(approval): runbook '\(runbook.id)' has no action '\(approval)'\(Suggest.didYouMean(approval, in: actions))")
            throw ExitCode(2)
        }
        guard let lockWaitDuration = DurationText.parse(lockWait) else {
            printError("error: --lock-wait takes a duration such as 30s or 2m, got '\(lockWait)'")
            throw ExitCode(2)
        }
        guard let incidentAgeDuration = DurationText.parse(incidentAge ?? "0s") else {
            printError("error: --incident-age takes a duration such as 45m, got '\(incidentAge ?? "")'")
            throw ExitCode(2)
        }
        if incident != nil, incidentAge != nil {
            printError("error: --incident-age is for runs without an incident: with --incident the escalation level counts from the incident's start")
            throw ExitCode(2)
        }
        var waitDuration: Duration?
        if let waitApproval {
            guard let d = DurationText.parse(waitApproval), d > .zero else {
                printError("error: --wait-approval takes a duration such as 30m, got '\(waitApproval)'")
                throw ExitCode(2)
            }
            waitDuration = d
        }
        let escalation: Escalation?
        do { escalation = try Escalation.load(home: home.home) } catch {
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
        let values = try resolveInputs(inputs, runbook: runbook)
        let planKey: PlanKey?
        do { planKey = try PlanKey.load(processEnvironment: processEnvironment) } catch {
            printError("error: \(error.message); nothing was run")
            throw ExitCode(2)
        }
        let env = try resolveEnvironment(loadedEnvironment, name: environment, runbook: runbook, required: false)
        // Said before anything runs, but no reason not to run: a notify step never blocks a
        // repair. Each such step fails as a configuration error (exit 2) when it is reached.
        for problem in env.missingNotifyChannels(in: runbook) {
            printError("warning: \(problem); that notify step will fail (exit 2), the rest of the run goes on")
        }
        // Identity (issue 10): refused here, before the audit log is opened or anything runs.
        let identity = try await resolveIdentity(environment: env, home: home.home, keyFlag: key, operatorFlag: operatorFlag, requireKey: !dryRun)
        var redactor = Redactor(secrets: env.secrets)
        for input in runbook.inputs where input.secret { if let v = values[input.name] { redactor.add(v.interpolated) } }
        ledgerRedactor.set(redactor)
        // Four-eyes approvals (issue 11): resolved, and a resumed request checked, before anything runs.
        let approvals = try await RunApprovals.resolve(environment: env, runbook: runbook, home: home.home, dryRun: dryRun, identity: identity,
                                                       resume: resume, wait: waitDuration, directoryFlag: home.directory, redactor: redactor,
                                                       json: format == .json)
        // The incident (issue 12), found before the ledger writer connects (an invalid
        // --incident exits 2 here): the escalation clock is the incident's; a live run posts the
        // escalation now due before its first step.
        let linked = try await RunIncident.link(flag: incident, runbook: runbook, environment: env, home: home.home, ladder: escalation,
                                                author: identity.recordedOperator(flag: operatorFlag), dryRun: dryRun, redactor: redactor)

        let audit: AuditLog
        do { audit = try AuditLog(path: auditPath) } catch {
            printError("error: \(error.message); nothing was run")
            throw ExitCode(4)
        }

        let sink: any AuditSink = ledgerWriter.map { LedgerAuditSink(log: audit, writer: $0, eager: !dryRun) } ?? audit

        let interactive = TTYTerminal.available
        let isTTY = isatty(STDOUT_FILENO) == 1
        let color = isTTY && processEnvironment["NO_COLOR"] == nil && processEnvironment["TERM"] != "dumb"
        let observer: (any RunObserver)? = format == .text ? TextReporter(color: color) { text in StandardStreams.out(text) } : nil
        let drivers = makeDrivers(for: env, live: !dryRun)
        var mode = Planner.Mode(dryRun: dryRun, yes: yes || scheduled, approvals: Set(self.approvals), interactive: interactive)
        mode.fourEyes = approvals?.requirements ?? [:]
        mode.alreadyDone = approvals?.alreadyDone ?? [:]
        var request = Executor.Request(
            runbook: runbook, environment: env, inputs: values,
            mode: mode,
            operatorName: identity.recordedOperator(flag: operatorFlag), host: ProcessInfo.processInfo.hostName)
        request.incidentAge = incidentAgeDuration
        request.planKey = planKey
        request.escalation = escalation
        if let linked {
            if incidentAge != nil { printError("warning: --incident-age ignored: the run is linked to \(linked.incident.id), whose start sets the escalation level") }
            request.incidentAge = .seconds(max(0, Int(Date().timeIntervalSince(linked.incident.startedAt))))
            request.incident = IncidentMessage.runValue(linked.incident)
            if format == .text { StandardStreams.out("  incident: \(linked.incident.id) — \(TextReporter.escape(linked.incident.title)) (\(linked.incident.severity))\n") }
            await linked.starting(quiet: format != .text)
        }
        let escalationAge = request.incidentAge
        if format == .text, runbook.tags.contains("incident") || linked != nil, let level = escalation?.level(at: Int(escalationAge.seconds / 60)) {
            StandardStreams.out("  escalation: level \(level.level) at \(Int(escalationAge.seconds / 60)) min into the incident — \(level.who): \(level.contacts.joined(separator: ", "))\n")
        }

        // One live run per (runbook, environment) at a time; dry runs take no lock. Only a
        // database that cannot be reached means running without it (loudly, and in the
        // audit); a refused login, a TLS failure or a bad URL stops a live run.
        var lock: RunLock?
        if !dryRun, env.databaseURL != nil {
            do {
                lock = try await drivers.sql.acquireRunLock(key: "\(runbook.id)@\(env.name)",
                                                            holder: "\(request.operatorName) (run \(request.runID))", wait: lockWaitDuration)
            } catch let held as RunLockHeld {
                await bounded(.seconds(2)) { await drivers.shutdown() }
                await bounded(.seconds(2)) { await ledgerWriter?.close() }
                printError("error: \(held); nothing was run (wait longer with --lock-wait)")
                throw ExitCode(4)
            } catch let error as DriverError where error.code.meansUnreachable {
                let why = redactor.redact(error.message)
                printError("warning: PostgreSQL cannot be reached, so the run lock was not taken (\(why)); running WITHOUT it: another live run of \(runbook.id) may run at the same time")
                request.runLock = "not taken: \(why)"
            } catch {
                await bounded(.seconds(2)) { await drivers.shutdown() }
                await bounded(.seconds(2)) { await ledgerWriter?.close() }
                let code = (error as? DriverError)?.code
                printError("error: cannot take the run lock: \(redactor.redact("\(error)")); nothing was run")
                throw ExitCode(code == .configuration ? 2 : 4)
            }
            if let lock { request.runLock = "held: \(lock.key)" }
        }

        // Trapped before the run starts, so no signal can end it between its first and last
        // audit record.
        let cancellation = CancellationRelay()
        let trap = SignalTrap { cancellation.cancel() }
        var gate = approvals?.makeGate(resume)
        var report = await execute(request, gate: gate, sink: sink, drivers: drivers, env: env, redactor: redactor, interactive: interactive,
                                   observer: observer, lock: lock, cancellation: cancellation)
        // Approved while the run waited at the gate: run again resuming it, so every check runs
        // again and the digest is compared before the action.
        while let approved = gate?.approvedWhileWaiting, report.end != .interrupted, let chain = approvals {
            request.runID = Executor.newRunID()
            request.mode.alreadyDone = Dictionary(uniqueKeysWithValues: report.steps.filter { $0.kind == .action && $0.status == .succeeded }
                .map { ($0.id, "done before approval request \(approved) (run \(report.runID))") }).merging(request.mode.alreadyDone) { _, earlier in earlier }
            gate = chain.makeGate(approved)
            report = await execute(request, gate: gate, sink: sink, drivers: drivers, env: env, redactor: redactor, interactive: interactive,
                                   observer: observer, lock: lock, cancellation: cancellation)
        }
        // Teardown is bounded: a connection stuck after a database restart must not keep a
        // finished run from exiting. Signals keep being trapped until it is over.
        let heldLock = lock
        await bounded(.seconds(2)) { await heldLock?.release() }
        // The drivers close while the checkpoint is signed and the ledger receives what it
        // still lacks (a dry run's records, an interrupted run's end), then the checkpoint.
        async let driversClosed: Void = bounded(.seconds(2)) { await drivers.shutdown() }
        var checkpoint: Checkpoint?
        if let signer = identity.signer, report.end != .auditFailed {
            checkpoint = await writeCheckpoint(signer, log: audit, runID: report.runID)
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
        trap.cancel()
        if let checkpoint, format == .text {
            StandardStreams.out("  checkpoint: seq \(checkpoint.seq) signed by \(checkpoint.principal)\n")
        }

        if format == .json { StandardStreams.out(JSONReport.render(report) + "\n") }
        if let junit {
            do { try JUnitReport.render(report).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                printError("error: cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if report.end == .auditFailed, let m = report.message { printError("error: \(m)") }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// One run of the executor, cancellable by the signal trap.
    private func execute(_ request: Executor.Request, gate: LedgerApprovalGate?, sink: any AuditSink, drivers: RunDrivers, env: Environment,
                         redactor: Redactor, interactive: Bool, observer: (any RunObserver)?, lock: RunLock?,
                         cancellation: CancellationRelay) async -> RunReport
    {
        let executor = Executor(drivers: drivers.registry, audit: sink, renderer: CommandRenderer(environment: env, home: home.home),
                                redactor: redactor, terminal: interactive ? TTYTerminal() : nil, observer: observer, lease: lock, approvals: gate)
        let task = Task { await executor.run(request) }
        cancellation.attach(task)
        return await task.value
    }
}
