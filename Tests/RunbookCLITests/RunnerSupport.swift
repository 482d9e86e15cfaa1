import Foundation
import Testing

/// A throw-away team for the runner's tests (issue 19): a ledger (a database of the sandbox's
/// PostgreSQL made for the test, holding the `gauge` the runbook repairs), keys made by
/// ssh-keygen for alice, bob, carol, the runner and the web console, the runner's own home (its environment
/// with the approvals policy, its allowed_signers) and alice's home (her copy of the
/// environment, naming the runner). Runner replicas are the built binary, `runbook runner`.
struct RunnerTeam {
    let sandbox: Sandbox
    let root: URL
    let runnerHome: URL
    let aliceHome: URL
    let keys: URL
    let database: String
    let url: String
    let aliceAudit: String
    /// The `incident` channel's file (the runner posts there).
    var incidentChannel: String { root.appendingPathComponent("incident-channel.log").path }

    static let policy = "{high: 1, medium: 0, approvers: [alice@example.com, bob@example.com, carol@example.com], console: console@example.com}"

    /// Check-only: a live run that changes nothing, quick.
    static let probeRunbook = """
        runbook: probe
        title: Probe
        steps:
          - check: one
            sql: SELECT 1 AS ok
        """

    /// A live run that holds its run lock for `seconds`.
    static let holdRunbook = """
        runbook: hold
        title: Hold
        inputs:
          seconds: {type: int, default: 0}
        steps:
          - check: wait
            timeout: 2m
            shell: [sleep, "${{ inputs.seconds }}"]
        """

    init() throws {
        sandbox = try Sandbox.current()
        (database, url) = try sandbox.newDatabase("runner")
        root = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        runnerHome = root.appendingPathComponent("runner")
        aliceHome = root.appendingPathComponent("alice")
        keys = root.appendingPathComponent("keys")
        for folder in [runnerHome, aliceHome] {
            for d in ["runbooks", "environments"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(d), withIntermediateDirectories: true)
            }
        }
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        // The incident messages' templates: the runner posts them.
        try FileManager.default.copyItem(at: CLITests.packageRoot.appendingPathComponent("templates"), to: runnerHome.appendingPathComponent("templates"))
        aliceAudit = root.appendingPathComponent("alice-audit.jsonl").path
        let signers = try CLITests.allowedSigners(["alice", "bob", "carol", "runner", "console"], in: keys)
        for home in [runnerHome, aliceHome] {
            try write(home, "environments/prod.allowed_signers", signers)
            try write(home, "runbooks/fix.yaml", ApprovalCLITests.gaugeRunbook)
            try write(home, "runbooks/probe.yaml", Self.probeRunbook)
            try write(home, "runbooks/hold.yaml", Self.holdRunbook)
        }
        try write(runnerHome, "environments/prod.yaml", """
            environment: prod
            database: {url: "${PROD_DB_URL}"}
            ledger: {url: "${PROD_DB_URL}"}
            identity: {allowed_signers: environments/prod.allowed_signers}
            approvals: \(Self.policy)
            runner: {principal: runner@example.com}
            notify: {channels: {incident: {type: file, path: "\(incidentChannel)"}}}
            secrets: [PROD_DB_URL]
            """)
        try aliceEnvironment()
        try ledgerSQL("CREATE TABLE gauge (v int); INSERT INTO gauge VALUES (15)")
        let initialized = try sandbox.runbook(["ledger", "init", "--env", "prod"], audit: aliceAudit, extra: ["PROD_DB_URL": url], dir: runnerHome)
        #expect(initialized.code == 0, "\(initialized.stderr)")
    }

    /// Alice's copy of the environment: the runner's URL (`$RUNNER_URL`), identity from
    /// `$RUNBOOK_ALLOWED_SIGNERS` when she sets it; `approvals` as given (nil: she left it out).
    func aliceEnvironment(approvals: String? = RunnerTeam.policy) throws {
        try write(aliceHome, "environments/prod.yaml", """
            environment: prod
            database: {url: "${PROD_DB_URL}"}
            ledger: {url: "${PROD_DB_URL}"}
            identity: {allowed_signers: "${RUNBOOK_ALLOWED_SIGNERS:-environments/prod.allowed_signers}"}
            \(approvals.map { "approvals: \($0)" } ?? "")
            runner: {url: "${RUNNER_URL}", principal: runner@example.com}
            notify: {channels: {incident: {type: file, path: "\(incidentChannel)"}}}
            secrets: [PROD_DB_URL]
            """)
    }

    func write(_ home: URL, _ path: String, _ text: String) throws {
        try text.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func key(_ name: String) -> String { keys.appendingPathComponent(name).path }

    /// `runbook ARGS` from alice's home (any operator: the key says who), through `runner`.
    func operatorRun(_ args: [String], runner: String, extra: [String: String] = [:]) throws -> CLITests.Output {
        try sandbox.runbook(args, audit: aliceAudit,
                            extra: ["PROD_DB_URL": url, "RUNNER_URL": runner, "SSH_AUTH_SOCK": "", "RUNBOOK_SIGNING_KEY": ""].merging(extra) { $1 },
                            dir: aliceHome)
    }

    @discardableResult
    func ledgerSQL(_ sql: String) throws -> String {
        try Sandbox(databaseURL: url, apiURL: sandbox.apiURL, token: sandbox.token, logDir: sandbox.logDir).psql(sql)
    }

    func drop() {
        _ = try? sandbox.psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        try? FileManager.default.removeItem(at: root)
    }

    /// Polls `condition` every 0.2 s for up to `seconds` (generous: never a measure of speed).
    static func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try condition()
    }

    /// A runner replica: `runbook runner` on a free port, from the runner's home.
    final class Replica {
        let process: Process
        let log: URL
        private(set) var url = ""

        init(team: RunnerTeam, name: String) throws {
            log = team.root.appendingPathComponent("\(name).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process = Process()
            process.executableURL = URL(fileURLWithPath: CLITests.binary)
            process.arguments = ["runner", "--dir", team.runnerHome.path, "--env", "prod", "--listen", "127.0.0.1:0",
                                 "--key", team.key("runner"), "--state", team.root.appendingPathComponent("state-\(name)").path]
            process.currentDirectoryURL = team.runnerHome
            var env = ProcessInfo.processInfo.environment
            env["PROD_DB_URL"] = team.url
            env["SSH_AUTH_SOCK"] = ""
            env["RUNBOOK_SIGNING_KEY"] = ""
            env["RUNBOOK_ALLOWED_SIGNERS"] = nil
            process.environment = env
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let started = RunnerTeam.eventually {
                (try? String(contentsOf: log, encoding: .utf8))?.contains("runner: http://") == true || !process.isRunning
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard started, let match = text.firstMatch(of: /runner: (http:\/\/127\.0\.0\.1:[0-9]+)\//) else {
                process.killAndReap()
                throw Sandbox.PSQLFailed(message: "the runner did not start: \(text)")
            }
            url = String(match.1)
        }

        func stop() { process.killAndReap() }
    }

    /// `curl` POSTing `body` to `url`: the HTTP status and the body answered.
    static func post(_ body: String, to url: String) throws -> (status: Int, body: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
        try body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data-binary", "@\(file.path)", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// A run request signed with `key` (ssh-keygen -Y sign, in `namespace`), as the client
    /// sends it: the JSON envelope.
    func signedRequest(runbook: String, key: String, nonce: String = RunnerTeam.nonce(), time: Int = Int(Date().timeIntervalSince1970),
                       inputs: [String] = [], namespace: String = "runbook-request", dryRun: Bool = false) throws -> String
    {
        let run: [String: Any] = ["runbook": runbook, "environment": "prod", "dry_run": dryRun, "inputs": inputs, "yes": false, "scheduled": false,
                                  "scheduled_day_only": false, "approve": [String](), "json": false, "lock_wait": "30s"]
        let request: [String: Any] = ["run": run, "nonce": nonce, "time": time, "junit": false, "version": 1]
        return try envelope(request, key: key, namespace: namespace)
    }

    /// A command request (`POST /commands`) signed with `key`: the command line, and the
    /// decision (`decided_at`, `signature`) when given.
    func signedCommand(_ command: [String], key: String, decision: [String: Any]? = nil, time: Int = Int(Date().timeIntervalSince1970)) throws -> String {
        var request: [String: Any] = ["kind": "command", "command": command, "environment": "prod", "nonce": Self.nonce(), "time": time, "version": 1]
        if let decision { request["decision"] = decision }
        return try envelope(request, key: key, namespace: "runbook-request")
    }

    /// `request` as signed bytes (JSON, sorted keys) and their signature by `key`, as the
    /// JSON envelope the runner takes.
    func envelope(_ request: [String: Any], key: String, namespace: String) throws -> String {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        let signature = try sign(text, key: key, namespace: namespace)
        let envelope = try JSONSerialization.data(withJSONObject: ["request": text, "signature": signature], options: [.sortedKeys])
        return String(decoding: envelope, as: UTF8.self)
    }

    /// `ssh-keygen -Y sign -n NAMESPACE -f KEY` of `text`: the armoured signature.
    func sign(_ text: String, key: String, namespace: String) throws -> String {
        let message = root.appendingPathComponent("message-\(UUID().uuidString)")
        try text.write(to: message, atomically: true, encoding: .utf8)
        let sign = Process()
        sign.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        sign.arguments = ["-q", "-Y", "sign", "-n", namespace, "-f", key, message.path]
        sign.standardInput = FileHandle.nullDevice
        sign.standardOutput = FileHandle.nullDevice
        sign.standardError = FileHandle.nullDevice
        try sign.run()
        sign.waitUntilExit()
        return try String(contentsOfFile: message.path + ".sig", encoding: .utf8)
    }

    static func nonce() -> String { (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max)) }.joined() }
}
