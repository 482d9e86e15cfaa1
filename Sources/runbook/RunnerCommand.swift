import ArgumentParser
import Foundation
import Logging
import RunbookConsole
import RunbookCore
import RunbookDrivers
import RunbookLedger
import RunbookRunner
import ServiceLifecycle
import UnixSignals

/// `runbook runner`: the team's runner for one environment (docs/runner.md): signed run
/// requests in, runs streamed out, with its own home, key and credentials.
struct RunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Serve the team's runner: runs requested with the operator's SSH key, executed here with this runner's policy, key and credentials, streamed back.",
        discussion: """
            The runner's home (--dir) is its own copy of runbooks, environments and allowed_signers: their digest is recorded \
            in the ledger at start, and a request is refused once they change (restart to pin the new policy). Its key \
            (--key or RUNBOOK_SIGNING_KEY) must be its principal in the environment's allowed_signers (runner.principal, \
            default runner). Exit 0 after SIGTERM/SIGINT · 2 invalid · 4 ledger unreachable. \
            `runbook runner export` writes its systemd service or Kubernetes Deployment.
            """,
        subcommands: [RunnerExportCommand.self])

    @OptionGroup var options: LedgerOptions
    @Option(name: .customLong("listen"), help: "HOST:PORT to listen on (PORT 0: any free port, printed).") var listen = "127.0.0.1:8089"
    @Option(name: .customLong("key"), help: "The runner's SSH key (default: $RUNBOOK_SIGNING_KEY).") var key: String?
    @OptionGroup var alerts: AlertReceiverOptions
    @Option(name: .customLong("state"), help: "Where the runner keeps its audit logs (default: $RUNBOOK_RUNNER_STATE or ~/.local/state/runbook/runner).") var state: String?

    func run() async throws {
        let env = try options.loadEnvironment()
        let home = options.home.home
        let redactor = Redactor(secrets: env.secrets)
        guard let ledgerURL = env.ledgerURL else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' names no ledger: the runner records every request and run there (ledger: {url: ...})")
        }
        guard env.hasIdentity, let signers = env.allowedSignersURL(home: home)?.path else {
            throw CommandFailure(.usage, "error: environment '\(env.name)' names no operators (identity: {allowed_signers: FILE}): the runner verifies every request against them")
        }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw CommandFailure(.usage, "error: --listen '\(listen)' is not HOST:PORT")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let processEnvironment = ProcessInfo.processInfo.environment
        guard let keyPath = OperatorIdentity.keyPath(flag: key, environment: processEnvironment) else {
            throw CommandFailure(.usage, "error: the runner needs its own SSH key (--key FILE or RUNBOOK_SIGNING_KEY): it signs every run's checkpoint")
        }
        let principal: String
        do { principal = try await OperatorIdentity.resolve(key: keyPath, allowedSigners: signers).principal } catch {
            throw CommandFailure(.usage, "error: --key: \(error.message)")
        }
        if let wanted = env.runnerPrincipal, wanted != principal {
            throw CommandFailure(.usage, "error: --key names \(principal) in \(signers), but runner.principal of '\(env.name)' is \(wanted)")
        }
        let stateDirectory = URL(fileURLWithPath: state ?? processEnvironment["RUNBOOK_RUNNER_STATE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/state/runbook/runner"))
        do {
            try FileManager.default.createDirectory(at: stateDirectory.appendingPathComponent("audit"), withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(.usage, "error: cannot make the runner's state folder \(stateDirectory.path): \(error.localizedDescription)")
        }
        // Alertmanager's webhook (docs/alerts.md): its runbooks pinned now, with the policy's.
        let alertReceiver = try alerts.configuration(home: home, defaultConsoleURL: nil)
        let replica = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        let policy = RunnerPolicy.pin(home: home, extra: [URL(fileURLWithPath: signers)])
        do throws(LedgerError) {
            let ledger = try await Ledger.connect(url: ledgerURL)
            do {
                try await ledger.requireCurrentSchema()
                try await ledger.pinPolicy(replica: replica, host: ProcessInfo.processInfo.hostName, environment: env.name, principal: principal,
                                           digest: policy.digest, files: policy.files)
            } catch {
                await ledger.close()
                throw error
            }
            await ledger.close()
        } catch {
            throw ledgerFailure(error, redactor: redactor)
        }
        let configuration = RunnerConfiguration(home: home, environment: env, ledgerURL: ledgerURL, allowedSigners: signers, key: keyPath,
                                                principal: principal, stateDirectory: stateDirectory, host: host, port: port, replica: replica,
                                                policy: policy)
        var logger = Logger(label: "runbook.runner")
        logger.logLevel = .warning
        let shown = host.contains(":") ? "[\(host)]" : host
        let webhook = alertReceiver.map { AlertWebhook(configuration: $0, environment: env, ledgerURL: ledgerURL, logger: logger) }
        let alertRoute = webhook.map { webhook in
            (path: AlertReceiverConfiguration.path, handler: { @Sendable request, peer in await webhook.respond(to: request, peer: peer) } as Runner.AlertHandler)
        }
        let commands = ServedCommand.handler(home: home, environment: env, key: keyPath)
        let app = Runner(configuration: configuration, logger: logger, commands: commands, alerts: alertRoute).makeApplication { port in
            let receiving = webhook == nil ? "" : ", Alertmanager's webhook at \(AlertReceiverConfiguration.path)"
            StandardStreams.out("runner: http://\(shown):\(port)/ (environment \(env.name), signing as \(principal), policy \(policy.digest)\(receiving))\n")
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch {
            throw CommandFailure(.usage, "error: \(error)")
        }
    }
}
