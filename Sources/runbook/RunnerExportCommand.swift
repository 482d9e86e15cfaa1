import ArgumentParser
import Foundation
import RunbookCore

/// `runbook runner export`: the team's runner as a hardened systemd service or a Kubernetes
/// Deployment (docs/runner.md, "Deploying"), written like `runbook schedule export` writes
/// timers and CronJobs. Credentials are referenced (a file, a credential, Secrets), never written.
struct RunnerExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the runner's systemd service (--systemd DIR) or Kubernetes Deployment, Service and PodDisruptionBudget (--kubernetes FILE).",
        discussion: """
            systemd: runbook-runner-ENV.service, its own user, NoNewPrivileges, a read-only system (ProtectSystem=strict) \
            but its state folder and --writable folders, the secrets from --environment-file, the runner's key from \
            --key-file as a credential (LoadCredential), restarted on failure. Kubernetes: a Deployment of --replicas \
            replicas (ready when /health answers), the policy from the image's /opt/runbook, the secrets from --secret, \
            the key from --key-secret (key signing-key), a Service and a PodDisruptionBudget. The environment must name \
            a ledger and identity (the runner needs both). No variable's value is written. Exit 0, or 2 for bad input \
            (nothing is written then).
            """)

    /// `--env NAME` (the environment the runner serves) and `--dir` (its home) are the
    /// runner's own options, parsed by it.
    @ParentCommand var runner: RunnerCommand

    var home: HomeOptions { runner.options.home }
    var environment: String { runner.options.environment ?? "" }

    @Option(name: .customLong("systemd"), help: "Write runbook-runner-ENV.service into this folder.")
    var systemdDirectory: String?

    @Option(name: .customLong("kubernetes"), help: "Write the Deployment, Service and PodDisruptionBudget to this file (- for standard output).")
    var kubernetesFile: String?

    @Option(name: .customLong("port"), help: "The port the runner listens on.")
    var port = 8089

    @Option(name: .customLong("binary"), help: "systemd: the runbook binary.")
    var binary = "/usr/local/bin/runbook"

    @Option(name: .customLong("project"), help: "systemd: the runner's home, the team's repository at a reviewed commit.")
    var project = "/opt/runbook"

    @Option(name: .customLong("user"), help: "systemd: the runner's own user.")
    var user = "runbook-runner"

    @Option(name: .customLong("environment-file"), help: "systemd: the file of the environment's secrets (default: /etc/runbook/runner-ENV.env).")
    var environmentFile: String?

    @Option(name: .customLong("key-file"), help: "systemd: the runner's SSH key, loaded as a credential (default: /etc/runbook/runner-ENV.key).")
    var keyFile: String?

    @Option(name: .customLong("writable"), help: "systemd: a folder the runner's actions write (config, backups...); repeat for more.")
    var writable: [String] = []

    @Option(name: .customLong("listen-host"), help: "systemd: the address it listens on (a TLS proxy in front of it).")
    var listenHost = "127.0.0.1"

    @Option(name: .customLong("image"), help: "Kubernetes: the image holding the runner's home at /opt/runbook.")
    var image = "runbook:latest"

    @Option(name: .customLong("secret"), help: "Kubernetes: the Secret whose keys become the runner's environment variables (default: runbook-runner-ENV).")
    var secret: String?

    @Option(name: .customLong("key-secret"), help: "Kubernetes: the Secret holding the runner's SSH key as signing-key (default: runbook-runner-ENV-key).")
    var keySecret: String?

    @Option(name: .customLong("replicas"), help: "Kubernetes: how many replicas (stateless, over one ledger).")
    var replicas = 2

    @Option(name: .customLong("namespace"), help: "Kubernetes: the namespace (default: the one kubectl applies to).")
    var namespace: String?

    func validate() throws {
        guard (systemdDirectory == nil) != (kubernetesFile == nil) else {
            throw ValidationError("give one of --systemd DIR or --kubernetes FILE")
        }
        guard runner.options.environment != nil else { throw ValidationError("give --env NAME: the environment the runner serves") }
        guard ScheduleExport.isName(environment) else {
            throw ValidationError("--env '\(environment)': an environment name is letters, digits and '-'")
        }
        let names = [("--secret", secret), ("--key-secret", keySecret), ("--namespace", namespace)].compactMap { flag, value in value.map { (flag, $0) } }
        for (flag, value) in names where !ScheduleExport.isName(value) {
            throw ValidationError("\(flag) '\(value)': a Kubernetes name is lower-case letters, digits and '-'")
        }
        let paths = [("--binary", binary), ("--project", project)] + [("--environment-file", environmentFile), ("--key-file", keyFile)]
            .compactMap { flag, value in value.map { (flag, $0) } } + writable.map { ("--writable", $0) }
        for (flag, value) in paths where !ScheduleExport.isUnitPath(value) {
            throw ValidationError("\(flag) '\(value)': an absolute path without spaces, quotes or '%'")
        }
        guard ScheduleExport.isUser(user) else {
            throw ValidationError("--user '\(user)': a user name is letters, digits, '-' and '_'")
        }
        guard ScheduleExport.isImage(image) else {
            throw ValidationError("--image '\(image)': an image reference has no spaces or quotes")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port): a port is 1 to 65535") }
        guard (1...100).contains(replicas) else { throw ValidationError("--replicas \(replicas): 1 to 100") }
        guard !listenHost.isEmpty, listenHost.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
            throw ValidationError("--listen-host '\(listenHost)': an IP address")
        }
    }

    func run() throws {
        let environmentPath = home.home.appendingPathComponent("environments/\(environment).yaml")
        guard let text = try? String(contentsOf: environmentPath, encoding: .utf8) else {
            throw CommandFailure(.usage, "error: no environment '\(environment)' (\(home.loader.relativePath(environmentPath)) cannot be read)")
        }
        // What the runner needs to start; its secrets need not be set where this runs.
        let env: Environment
        do { env = try Environment.load(name: environment, home: home.home, processEnvironment: [:]) } catch {
            throw CommandFailure(diagnostics: error.diagnostics)
        }
        guard env.values["ledger"] != nil, env.hasIdentity else {
            throw CommandFailure(.usage, "error: environment '\(environment)' needs a ledger and identity for a runner (ledger: {url: ...}, identity: {allowed_signers: FILE}): nothing written")
        }
        let export = RunnerExport(environment: environment, variables: RunnerExport.variables(in: text), port: port, binary: binary,
                                  project: project, user: user, environmentFile: environmentFile ?? "/etc/runbook/runner-\(environment).env",
                                  keyFile: keyFile ?? "/etc/runbook/runner-\(environment).key", writable: writable, listenHost: listenHost,
                                  image: image, secret: secret ?? "runbook-runner-\(environment)",
                                  keySecret: keySecret ?? "runbook-runner-\(environment)-key", replicas: replicas, namespace: namespace)
        if let directory = systemdDirectory {
            let file = "\(directory)/\(export.name).service"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try export.service().write(toFile: file, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure(.usage, "error: cannot write \(file): \(error.localizedDescription)")
            }
            print("\(file): the runner of \(environment) as user \(user), listening on \(listenHost):\(port)")
        } else if let file = kubernetesFile {
            let text = export.kubernetes()
            if file == "-" {
                print(text, terminator: "")
                return
            }
            do { try text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure(.usage, "error: cannot write \(file): \(error.localizedDescription)")
            }
            print("\(file): Deployment \(export.name) (\(replicas) replicas, port \(port)), Service \(export.name), PodDisruptionBudget \(export.name)")
        }
    }
}
