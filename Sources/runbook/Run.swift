import ArgumentParser
import Foundation
import RunbookCore
import RunbookDrivers
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

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

    /// The flags as a run's options.
    var options: RunOptions {
        var o = RunOptions(runbook: id)
        o.environment = environment
        o.dryRun = dryRun
        o.inputs = inputs
        o.yes = yes
        o.scheduled = scheduled
        o.scheduledDayOnly = scheduledDayOnly
        o.approve = approvals
        o.json = format == .json
        o.incidentAge = incidentAge
        o.incident = incident
        o.lockWait = lockWait
        o.resume = resume
        o.waitApproval = waitApproval
        o.operatorName = operatorFlag
        o.key = key
        o.auditLog = auditLog
        return o
    }

    func run() async throws {
        let processEnvironment = ProcessInfo.processInfo.environment
        // A live run of an environment with a runner is the runner's: sent, signed, and
        // streamed back. A dry run still runs here (CI), recorded as local.
        if !dryRun, let env = try? Environment.load(name: environment, home: home.home, processEnvironment: processEnvironment), env.hasRunner {
            try await runThroughRunner(env, processEnvironment: processEnvironment)
            return
        }
        let isTTY = isatty(STDOUT_FILENO) == 1
        let color = isTTY && processEnvironment["NO_COLOR"] == nil && processEnvironment["TERM"] != "dumb"
        // Signals are trapped while the run executes (from just before its first record to the
        // end of teardown), so none can end it between its first and last audit record.
        let trap = SignalTrapSlot()
        var context = RunSession.Context(home: home.home, directoryFlag: home.directory, processEnvironment: processEnvironment,
                                         host: ProcessInfo.processInfo.hostName, output: standardOutput,
                                         terminal: TTYTerminal.available ? TTYTerminal() : nil, color: color,
                                         who: .local(key: key, operatorFlag: operatorFlag), auditLog: AuditLog.defaultPath(environment: processEnvironment))
        let cancellation = context.cancellation
        context.executing = { starting in
            if starting { trap.set(SignalTrap { cancellation.cancel() }) } else { trap.set(nil) }
        }
        let session = RunSession(options: options, context: context)
        guard let report = try await exiting({ () async throws(RunSessionError) in try await session.run() }) else { return }
        if let junit {
            do { try JUnitReport.render(report).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                printError("error: cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The run sent to the environment's runner: the request signed with the operator's key,
    /// the run streamed back; Ctrl-C closes the stream, which cancels the run there.
    private func runThroughRunner(_ env: Environment, processEnvironment: [String: String]) async throws {
        let target = try RunnerTarget(env, keyFlag: key, what: "runs live runs on", nothing: "nothing was run")
        if let operatorFlag, !operatorFlag.isEmpty {
            printError("note: --operator \(operatorFlag) is not used: the runner records the principal your key names")
        }
        if let auditLog {
            printError("note: --audit-log \(auditLog) is not used: the runner keeps the run's audit log (and the ledger its records)")
        }
        var request = RunnerRequest(run: options)
        request.junit = junit != nil
        let sent = request
        let task = Task { await RunnerClient.run(sent, url: target.url, key: target.key, output: standardOutput) }
        let trap = SignalTrap { task.cancel() }
        let outcome = await task.value
        trap.cancel()
        if let junit, let xml = outcome.junit {
            do { try xml.write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                printError("error: cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
